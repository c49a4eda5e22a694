import { renderCard, renderOutcome, type AdaptiveCardJson } from '../../src/cards/renderer';
import type { BulkPreviewView, BulkProgressView, ConfirmView, ListView, MigrationFormView, OutcomeDraft, TemplateName } from '../../src/cards/card-data';
import { renderBulkPreview, renderBulkProgress } from '../../src/features/bulk/bulk-cards';
import { helpCard, WELCOME_INTRO } from '../../src/features/help/help';
import { errorFacts } from '../../src/features/shared/error-facts';
import { formatBoth } from '../../src/domain/parse/dates';
import { explainFailure } from '../../src/domain/explain-failure';
import type { GraphFailure } from '../../src/domain/graph-failure';
import { migrationDateFor } from '../../src/domain/import/import-rules';
import type { SourceChannel } from '../../src/domain/import/source-model';
import type { Channel } from '../../src/graph/teams-directory';
import type { PreparedImport } from '../../src/features/import/import-engine';
import type { AuthorPlan, ImportPlan, TargetPlan } from '../../src/features/import/import-plan';
import { newDraft, SKIP, type ImportDraft } from '../../src/features/import-flow/import-draft';
import { planView, renderPlanCard, type PlanCardInput } from '../../src/features/import-flow/plan-views';
import { progressView, type ProgressInput } from '../../src/features/import-flow/progress-views';
import { ZERO_COUNTS, type ImportCounts, type ImportJob, type ImportTarget } from '../../src/store/ports/import-jobs';

/** One card of the gallery: which template, what situation, and the card as the bot renders it. */
export interface GallerySample {
  /** File name (without `.png`) under docs/cards/. */
  name: string;
  /** Template file name under src/cards/templates/ (without `.json`). */
  template: TemplateName;
  /** What the admin is looking at, one sentence. */
  shows: string;
  card: () => AdaptiveCardJson;
}

// The admin of every sample: Alex Wilber, whose Teams client runs in Berlin.
const ZONE = 'Europe/Berlin';
const MIGRATION_APP = 'aaaaaaaa-0000-0000-0000-000000000001';
const MY_TEAM = '00000000-0000-0000-0000-000000000031';
const ENGINEERING = '00000000-0000-0000-0000-000000000032';
const ANNOUNCEMENTS_CREATED = '2024-06-10T09:30:00Z';
const EXPIRES = '2026-11-23T19:26:00Z';
const both = (iso: string) => formatBoth(iso, ZONE);

const kindChoices = [
  { title: 'A channel of a team', value: 'channel' },
  { title: 'A chat', value: 'chat' },
];
const teamChoices = [
  { title: 'My Team', value: MY_TEAM },
  { title: 'Contoso Engineering', value: ENGINEERING },
  { title: 'Marketing', value: '00000000-0000-0000-0000-000000000034' },
  { title: 'Marketing', value: '00000000-0000-0000-0000-000000000035' },
  { title: 'Project 01', value: '00000000-0000-0000-0000-000000000101' },
  { title: 'Project 02', value: '00000000-0000-0000-0000-000000000102' },
];
const chatChoices = [
  { title: 'Launch planning', value: '19:group-launch@thread.v2' },
  { title: 'Group Chat', value: '19:playground-groupchat@thread.v2' },
  { title: 'one-on-one chat', value: '19:00000000-0000-0000-0000-000000000020_00000000-0000-0000-0000-000000000025@unq.gbl.spaces' },
  { title: 'Imported from Slack — already in migration', value: '19:group-slack@thread.v2' },
];
const myTeamChannels = [
  { title: 'General (standard)', value: '19:myteam-general@thread.tacv2' },
  { title: 'Announcements (standard)', value: '19:myteam-announcements@thread.tacv2' },
  { title: 'Project Falcon (private)', value: '19:myteam-falcon@thread.tacv2' },
  { title: 'Partners (shared)', value: '19:myteam-partners@thread.tacv2' },
];

/** The form's data with nothing chosen yet; each sample overrides what differs. */
const emptyForm: MigrationFormView = {
  error: '',
  teamError: '',
  channelError: '',
  chatError: '',
  dateError: '',
  kind: 'channel',
  kindChoices,
  teamId: '',
  teamChoices,
  teamName: '',
  channelId: '',
  channelChoices: [],
  chatId: '',
  chatChoices,
  chatText: '',
  chatsOf: '',
  chatsOfLabel: 'your chats',
  date: '',
  time: '',
  zoneLabel: ZONE,
  hint: '',
  ownMessage: '',
};

const failure = (f: Partial<GraphFailure> & Pick<GraphFailure, 'status' | 'code' | 'message'>): GraphFailure => ({
  requestId: '5b1e7c0a-3f4d-4a8e-9c61-0d2f8b7a9e11',
  date: '2026-11-23T18:27:03Z',
  outcomeUnknown: false,
  ...f,
});
const missingPermission = failure({
  status: 403,
  code: 'Forbidden',
  message:
    "Missing role permissions on the request. API requires one of 'Teamwork.Migrate.All'. Roles on the request 'User.Read.All, Team.ReadBasic.All, Channel.ReadBasic.All, Chat.ReadBasic.All'.",
});
const versionMismatch = failure({ status: 412, code: 'PreconditionFailed', message: 'Version mismatch for thread resource.' });
const otherOwner = failure({ status: 403, code: 'Forbidden', message: 'The migration was started by another application.' });

const confirmView = (v: Partial<ConfirmView> & Pick<ConfirmView, 'title'>): ConfirmView => ({
  facts: [],
  warning: '',
  bullets: [],
  typedConfirmation: '',
  typedError: '',
  expires: both(EXPIRES),
  confirmTitle: 'Confirm',
  confirmVerb: 'confirm',
  opId: 'op_7QmZk2Yx9bR4tV1s',
  ...v,
});

const completeBullets = [
  'The import banner goes away and members can post again.',
  'No more history can be imported with its original timestamps unless a new migration is started.',
  `Only the app that started the migration can complete it; this bot uses ${MIGRATION_APP}.`,
];

const startedOutcome: OutcomeDraft = {
  title: 'Migration started: My Team › Announcements',
  color: 'Good',
  summary: 'Standard channel is now in migration mode.',
  facts: [
    { title: 'Target', value: 'My Team › Announcements (standard channel)' },
    { title: 'migrationMode', value: 'inProgress' },
    { title: 'createdDateTime', value: both('2019-12-31T23:00:00Z') },
    { title: 'originalCreatedDateTime', value: both(ANNOUNCEMENTS_CREATED) },
    { title: 'Migration app', value: MIGRATION_APP },
    { title: 'Started by', value: 'Alex Wilber' },
    { title: 'request-id', value: 'e3a30cf2-0541-4114-b157-7927d7df9866' },
  ],
  nextSteps: [
    `1. Import the history with the same migration app (client id ${MIGRATION_APP}); no other app can import into this thread.`,
    '2. When the import is done, complete the migration to remove the banner and unlock the thread.',
  ],
  actions: [
    { title: 'Status', verb: 'status', opId: '', target: `channel:${MY_TEAM}:19:myteam-announcements@thread.tacv2` },
    { title: 'Complete migration', verb: 'completeAsk', opId: '', target: `channel:${MY_TEAM}:19:myteam-announcements@thread.tacv2` },
  ],
};

const engineeringRows: BulkPreviewView['rows'] = [
  { line: 'General — will start', color: 'Default' },
  { line: 'Channel 01 — will start', color: 'Default' },
  { line: 'Channel 02 — will start', color: 'Default' },
  { line: 'Channel 07 (private) — skipped: private channels excluded', color: 'Warning' },
  { line: 'Legacy Import — skipped: already in migration mode', color: 'Warning' },
  { line: 'Vendor Archive — skipped: already in migration mode', color: 'Warning' },
];

const bulkPreview = (v: Partial<BulkPreviewView>): BulkPreviewView => ({
  title: 'Start migration for 57 channels of Contoso Engineering?',
  summary: '57 will start, 9 skipped.',
  facts: [
    { title: 'Team', value: `Contoso Engineering (${ENGINEERING})` },
    { title: 'Channels', value: '66' },
    { title: 'Will start', value: '57' },
    { title: 'Skipped', value: '9' },
    { title: 'New creation date', value: both('2019-12-31T23:00:00Z') },
    { title: 'Pace', value: 'at most 4 requests/s on this team, 30/s for the tenant' },
    { title: 'Requested by', value: 'Alex Wilber' },
  ],
  warning: '',
  bullets: [
    'Each channel shows an import banner and is locked until its migration is completed.',
    'Only the migration app this bot uses can import into these channels or complete them.',
    'Backdating cannot be undone: a creation date only ever moves back in time.',
    'The job runs in the background at the Graph limits; this card then shows its progress.',
  ],
  rows: engineeringRows,
  more: '…and 60 more channels (counted above).',
  typedConfirmation: 'Contoso Engineering',
  typedError: '',
  expires: both(EXPIRES),
  actions: [
    { title: 'Confirm', verb: 'bulkConfirm', style: 'destructive', data: { verb: 'bulkConfirm', opId: 'op_Lk3x9QpZr7aB2mWc' } },
    {
      title: 'Include private channels',
      verb: 'bulkAskStart',
      style: 'default',
      data: {
        verb: 'bulkAskStart',
        team: ENGINEERING,
        since: '2019-12-31T23:00:00Z',
        excludePrivate: false,
        channelIds: null,
        replaces: 'op_Lk3x9QpZr7aB2mWc',
      },
    },
    { title: 'Cancel', verb: 'cancelOp', style: 'default', data: { verb: 'cancelOp', opId: 'op_Lk3x9QpZr7aB2mWc' } },
  ],
  ...v,
});

const progressFacts = (started: number, failed: number, skipped: number, remaining: number) => [
  { title: 'Started', value: String(started) },
  { title: 'Failed', value: String(failed) },
  { title: 'Skipped', value: String(skipped) },
  { title: 'Remaining', value: String(remaining) },
  { title: 'Team', value: 'Contoso Engineering' },
  { title: 'New creation date', value: both('2019-12-31T23:00:00Z') },
  { title: 'Requested by', value: 'Alex Wilber' },
  { title: 'Job', value: 'op_Lk3x9QpZr7aB2mWc' },
];

const bulkProgress = (v: Partial<BulkProgressView>): BulkProgressView => ({
  title: 'Starting migration: Contoso Engineering',
  color: 'Accent',
  summary: '31 of 66 done. Paced to the Graph limits (at most 4 requests/s on this team); this card updates every few seconds.',
  facts: progressFacts(22, 0, 9, 35),
  failures: [],
  skipped: [],
  more: '',
  nextSteps: [],
  footer: `Updated ${both('2026-11-23T18:31:12Z')}.`,
  ...v,
});

// ---------------------------------------------------------------------------------------------
// Import from Teams: an export attached in the personal chat, its plan card, then its progress card
// ---------------------------------------------------------------------------------------------

const teamChannel = (id: string, displayName: string, more: Partial<Channel> = {}): Channel => ({
  id,
  displayName,
  membershipType: 'standard',
  createdDateTime: ANNOUNCEMENTS_CREATED,
  migrationMode: null,
  originalCreatedDateTime: null,
  ...more,
});
const slackChannel = (id: string, name: string, kind: SourceChannel['kind'] = 'public'): SourceChannel => ({
  id,
  name,
  displayName: name,
  kind,
  topic: null,
  purpose: null,
});
const matched = (name: string, messages: number, upn: string): AuthorPlan => ({
  sourceUserId: `U_${name.split(' ')[0].toUpperCase()}`,
  name,
  email: upn,
  status: 'matched',
  teams: { id: `aad-${upn}`, displayName: name },
  messages,
});
const unmatched = (name: string, status: AuthorPlan['status'], messages: number): AuthorPlan => ({
  sourceUserId: `U_${name.replace(/\W/g, '').toUpperCase()}`,
  name,
  email: null,
  status,
  teams: null,
  messages,
});

/** What one channel of a plan sends, dated from its oldest message (a start is dated a second before it). */
function targetPlan(
  source: SourceChannel,
  target: Channel,
  counts: Partial<TargetPlan> & Pick<TargetPlan, 'roots' | 'firstMessageAt' | 'lastMessageAt'>,
): TargetPlan {
  const plan: TargetPlan = {
    source,
    target,
    how: 'same name',
    action: 'start',
    migrationDate: null,
    warning: null,
    planned: 0,
    replies: 0,
    placeholders: 0,
    reactions: 0,
    fallbackAuthored: 0,
    skipped: {},
    ...counts,
  };
  if (plan.action === 'start') plan.migrationDate = migrationDateFor(Date.parse(counts.firstMessageAt!), target.createdDateTime);
  const skipped = Object.values(plan.skipped).reduce((a, b) => a + b, 0);
  plan.planned = plan.roots + plan.replies + plan.placeholders + skipped;
  return plan;
}

/** A plan as the engine prepares it: sends and the paced duration (5 messages/s per channel, 30/s for the tenant). */
function prepared(
  plan: Omit<ImportPlan, 'sends' | 'estimateSeconds'>,
  fallback: ImportPlan['fallback'],
  channelMap: Record<string, string> = {},
): PreparedImport {
  const perTarget = plan.targets.map((t) => t.roots + t.replies + t.placeholders);
  const sends = perTarget.reduce((a, b) => a + b, 0);
  const estimateSeconds = Math.ceil(Math.max(Math.max(0, ...perTarget) / 5, sends / 30));
  return {
    plan: { ...plan, sends, estimateSeconds },
    options: { fallbackUser: fallback, completeWhenDone: false, uploadFiles: false, channelMap },
    existing: null,
    finished: null,
    generation: 0,
  };
}

const draftOf = (d: Partial<ImportDraft> & Pick<ImportDraft, 'fileName' | 'bytes'>): ImportDraft => ({
  ...newDraft({ exportId: 'exp_2Qv8LmT4kR9sWd1c', fileName: d.fileName, bytes: d.bytes }, { id: null, asked: null }),
  ...d,
});

const planInput = (v: Partial<PlanCardInput> & Pick<PlanCardInput, 'draft' | 'prepared'>): PlanCardInput => ({
  problems: [],
  teamChoices: teamChoices.slice(0, 4),
  fallback: null,
  admin: alexAsFallback,
  opId: 'op_Jm4Rt8Wq2Zx6Nb0e',
  expiresAt: EXPIRES,
  timeZone: ZONE,
  ...v,
});

// The Slack story export, as the demo (`npm run dev`) offers it, into My Team.
const myTeamThreads: Channel[] = [
  teamChannel('19:myteam-general@thread.tacv2', 'General'),
  teamChannel('19:myteam-announcements@thread.tacv2', 'Announcements'),
  teamChannel('19:myteam-falcon@thread.tacv2', 'Project Falcon', { membershipType: 'private' }),
  teamChannel('19:myteam-partners@thread.tacv2', 'Partners', { membershipType: 'shared' }),
];
const ALEX = '00000000-0000-0000-0000-000000000020';
const alexAsFallback = { id: ALEX, displayName: 'Alex Wilber' };
const storyAuthors: AuthorPlan[] = [
  matched('Alex Wilber', 10, 'alexw@example.com'),
  matched('Megan Bowen', 8, 'meganb@example.com'),
  matched('Adele Vance', 7, 'adelev@example.com'),
  unmatched('Dana Ortiz', 'not in this tenant', 1),
  unmatched('Deploy Bot', 'bot', 1),
  unmatched('Old Timer', 'deleted user', 1),
  unmatched('Slackbot', 'bot', 1),
];
/** The story plan, with the fallback user named or not (then the planner's problem says who needs one). */
const storyPlan = (fallback: ImportPlan['fallback']) =>
  prepared(
    {
      source: { kind: 'slack', fileName: 'acme-slack-export.zip', sha256: '9f2c1e7a4b'.padEnd(64, '0'), bytes: 9432 },
      team: { id: MY_TEAM, displayName: 'My Team' },
      targets: [
        targetPlan(slackChannel('C_GENERAL', 'general'), myTeamThreads[0], {
          roots: 16,
          replies: 5,
          placeholders: 1,
          reactions: 3,
          fallbackAuthored: 4,
          skipped: { 'channel event (channel_join)': 3, 'channel event (channel_topic)': 1, 'channel event (channel_leave)': 1 },
          firstMessageAt: '2021-03-01T08:30:00Z',
          lastMessageAt: '2021-03-03T16:05:00Z',
        }),
        targetPlan(slackChannel('C_ANNOUNCE', 'announcements'), myTeamThreads[1], {
          roots: 2,
          skipped: { 'channel event (channel_purpose)': 1 },
          firstMessageAt: '2021-03-01T09:30:00Z',
          lastMessageAt: '2021-03-03T10:00:00Z',
        }),
        targetPlan(slackChannel('G_FALCON', 'project_falcon', 'private'), myTeamThreads[2], {
          roots: 2,
          replies: 1,
          skipped: { 'channel event (channel_join)': 1, 'channel event (channel_name)': 1 },
          firstMessageAt: '2021-03-01T09:00:00Z',
          lastMessageAt: '2021-03-02T11:40:00Z',
        }),
        targetPlan(slackChannel('C_PARTNERS', 'partners'), myTeamThreads[3], {
          roots: 1,
          replies: 1,
          firstMessageAt: '2021-03-02T09:30:00Z',
          lastMessageAt: '2021-03-02T14:10:00Z',
        }),
      ],
      skippedChannels: [{ name: 'random', sourceId: 'C_RANDOM', reason: 'no channel of the team has this name' }],
      teamChannels: myTeamThreads.map((c) => ({ id: c.id, displayName: c.displayName })),
      authors: storyAuthors,
      fallback,
      problems: fallback
        ? []
        : [
            '4 authors have no tenant user: Dana Ortiz (not in this tenant), Deploy Bot (bot), Old Timer (deleted user), Slackbot (bot). Name a fallback user (--fallback-user <sign-in name or object id> on the command line; "Post messages of unmatched people as" on the plan card in Teams) to post their messages with their name shown, or add them to the tenant.',
          ],
    },
    fallback,
  );

// A large Slack workspace into Contoso Engineering: one channel mapped by hand, one already in migration.
const engineering = {
  general: teamChannel('19:eng-general@thread.tacv2', 'General', { createdDateTime: '2019-09-02T07:00:00Z' }),
  ch01: teamChannel('19:eng-ch01@thread.tacv2', 'Channel 01', { createdDateTime: '2019-09-02T07:00:00Z' }),
  ch03: teamChannel('19:eng-ch03@thread.tacv2', 'Channel 03', { createdDateTime: '2019-09-02T07:00:00Z' }),
  legacy: teamChannel('19:eng-legacy@thread.tacv2', 'Legacy Import', {
    createdDateTime: '2019-03-01T00:00:00Z',
    originalCreatedDateTime: '2023-02-01T12:00:00Z',
    migrationMode: 'inProgress',
  }),
};
const engineeringSources = {
  general: slackChannel('C0ENGGENERAL', 'general'),
  ch01: slackChannel('C0CHANNEL01', 'channel-01'),
  deploys: slackChannel('C0DEPLOYS', 'deploys'),
  legacy: slackChannel('C0LEGACY', 'legacy-import'),
};
const engineeringTargets: TargetPlan[] = [
  targetPlan(engineeringSources.general, engineering.general, {
    roots: 14820,
    replies: 6934,
    placeholders: 116,
    reactions: 9412,
    fallbackAuthored: 1208,
    skipped: { 'channel event (channel_join)': 412, 'channel event (channel_topic)': 9 },
    firstMessageAt: '2016-04-11T07:12:31Z',
    lastMessageAt: '2024-11-29T16:48:02Z',
  }),
  targetPlan(engineeringSources.ch01, engineering.ch01, {
    roots: 6210,
    replies: 2877,
    placeholders: 31,
    reactions: 3350,
    fallbackAuthored: 402,
    skipped: { 'channel event (channel_join)': 96 },
    firstMessageAt: '2017-01-09T08:02:10Z',
    lastMessageAt: '2024-11-28T12:20:44Z',
  }),
  targetPlan(engineeringSources.deploys, engineering.ch03, {
    how: 'explicit',
    roots: 9876,
    replies: 212,
    reactions: 140,
    fallbackAuthored: 9876,
    firstMessageAt: '2019-11-20T22:14:05Z',
    lastMessageAt: '2024-11-29T23:59:58Z',
  }),
  targetPlan(engineeringSources.legacy, engineering.legacy, {
    action: 'continue',
    migrationDate: '2019-03-01T00:00:00Z',
    roots: 1630,
    replies: 288,
    reactions: 77,
    fallbackAuthored: 12,
    skipped: { "older than the channel's migration date (2019-03-01T00:00:00.000Z)": 2204 },
    firstMessageAt: '2019-03-04T10:00:12Z',
    lastMessageAt: '2023-01-31T17:30:00Z',
  }),
];
const engineeringPlan = prepared(
  {
    source: { kind: 'slack', fileName: 'contoso-eng-slack-2016-2024.zip', sha256: '4b7e0d93c1'.padEnd(64, '0'), bytes: 187_340_112 },
    team: { id: ENGINEERING, displayName: 'Contoso Engineering' },
    targets: engineeringTargets,
    skippedChannels: [
      { name: 'D0G9QPY56', sourceId: null, reason: 'direct messages are not imported' },
      { name: 'mpdm-alexw--meganb--nestorw-1', sourceId: null, reason: 'group direct messages are not imported' },
      { name: 'random', sourceId: 'C0RANDOM', reason: 'no channel of the team has this name' },
    ],
    teamChannels: [
      engineering.general,
      ...Array.from({ length: 8 }, (_, i) =>
        teamChannel(`19:eng-ch${String(i + 1).padStart(2, '0')}@thread.tacv2`, `Channel ${String(i + 1).padStart(2, '0')}`),
      ),
      engineering.legacy,
      teamChannel('19:eng-vendor@thread.tacv2', 'Vendor Archive'),
    ].map((c) => ({ id: c.id, displayName: c.displayName })),
    authors: [
      matched('Alex Wilber', 9120, 'alexw@example.com'),
      matched('Megan Bowen', 8433, 'meganb@example.com'),
      matched('Nestor Wilke', 7710, 'nestorw@example.com'),
      matched('Adele Vance', 6025, 'adelev@example.com'),
      matched('Patti Fernandez', 4188, 'pattif@example.com'),
      matched('Lynne Robbins', 2961, 'lynner@example.com'),
      unmatched('Deploy Bot', 'bot', 9876),
      unmatched('Jordan Blake', 'deleted user', 1321),
      unmatched('Sam Okafor', 'not in this tenant', 307),
      unmatched('Slackbot', 'bot', 112),
    ],
    fallback: { id: '00000000-0000-0000-0000-000000000021', displayName: 'Megan Bowen' },
    problems: [],
  },
  { id: '00000000-0000-0000-0000-000000000021', displayName: 'Megan Bowen' },
  { deploys: 'Channel 03' },
);

// The same import once confirmed: a job of the Teams origin, its targets and counters.
const IMPORT_JOB = 'a41f07c2-9b3d-4e58-8c16-5d2e0f7b93a4';
const importJob = (state: ImportJob['state']): ImportJob => ({
  id: IMPORT_JOB,
  jobKey: `${engineeringPlan.plan.source.sha256}:${ENGINEERING}`,
  tenantId: '00000000-0000-0000-0000-000000000001',
  teamId: ENGINEERING,
  teamName: 'Contoso Engineering',
  source: {
    kind: 'slack',
    fileName: 'contoso-eng-slack-2016-2024.zip',
    location: 'exp_2Qv8LmT4kR9sWd1c',
    sha256: engineeringPlan.plan.source.sha256,
    bytes: 187_340_112,
  },
  requestedBy: { aadObjectId: '00000000-0000-0000-0000-000000000020', name: 'Alex Wilber' },
  origin: 'teams',
  options: { ...engineeringPlan.options },
  conversationId: 'a:personal-alex',
  conversationReference: null,
  progressActivityId: '1732385217455',
  state,
  createdAt: '2026-11-23T18:34:05Z',
  updatedAt: '2026-11-23T20:02:41Z',
});

/** A target of the job with what has settled so far: `done` of the plan's messages (skipped ones first, as the runner settles them in order). */
function importTarget(seq: number, plan: TargetPlan, state: ImportTarget['state'], done: number, more: Partial<ImportTarget> = {}): ImportTarget {
  const sends = plan.roots + plan.replies + plan.placeholders;
  const skipped = Object.values(plan.skipped).reduce((a, b) => a + b, 0);
  const share = (n: number) => Math.round((n * done) / plan.planned);
  const failed = more.counts?.failed ?? 0;
  const sent = Math.max(0, share(sends) - failed);
  const counts: ImportCounts = {
    messages: Math.round((sent * (plan.roots + plan.placeholders)) / Math.max(1, sends)),
    replies: sent - Math.round((sent * (plan.roots + plan.placeholders)) / Math.max(1, sends)),
    reactions: share(plan.reactions),
    skipped: done - share(sends),
    fallbackAuthored: share(plan.fallbackAuthored),
    failed,
  };
  if (counts.skipped > skipped) counts.skipped = skipped;
  const target = {
    kind: 'channel' as const,
    teamId: ENGINEERING,
    channelId: plan.target.id,
    displayName: plan.target.displayName,
    teamName: 'Contoso Engineering',
  };
  return {
    jobId: IMPORT_JOB,
    targetKey: `channel:${ENGINEERING}:${plan.target.id}`,
    seq,
    sourceChannelId: plan.source.id,
    sourceChannelName: plan.source.name,
    target,
    state,
    planned: plan.planned,
    conversationCreationDateTime: state === 'queued' ? null : plan.migrationDate,
    startedByJob: state !== 'queued' && plan.action === 'start',
    detail: null,
    errorCode: null,
    requestId: null,
    updatedAt: '2026-11-23T20:02:41Z',
    ...more,
    counts,
  };
}

const [tGeneral, tCh01, tDeploys, tLegacy] = engineeringTargets;
const runningTargets = [
  importTarget(0, tGeneral, 'importing', 12410),
  importTarget(1, tCh01, 'importing', 5377, { counts: { ...ZERO_COUNTS, failed: 1 } }),
  importTarget(2, tDeploys, 'importing', 7314),
  importTarget(3, tLegacy, 'imported', tLegacy.planned),
];
const ZERO_RATES: ProgressInput['rate'] = () => 0;
const progressInput = (v: Partial<ProgressInput> & Pick<ProgressInput, 'job' | 'targets'>): ProgressInput => ({ rate: ZERO_RATES, timeZone: ZONE, ...v });
const doneTargets = (state: ImportTarget['state']) => engineeringTargets.map((t, i) => importTarget(i, t, state, t.planned));

/**
 * Every card the bot sends, in the situations an admin meets: first contact, the form step by
 * step and with errors beside the fields, confirmations, results (success, failure, refusal by
 * Graph, expiry, cancellation), status and boards, bulk preview and progress. Each is produced by
 * the same render function the bot calls, with data shaped like the flows build it.
 */
export const gallerySamples: GallerySample[] = [
  { name: 'help', template: 'help', shows: 'The help card: every command with examples and a button that opens the form.', card: () => cardOf(helpCard()) },
  {
    name: 'welcome',
    template: 'help',
    shows: 'The welcome card sent when the bot is installed in a personal scope, a team or a group chat.',
    card: () => cardOf(helpCard(WELCOME_INTRO)),
  },

  {
    name: 'form',
    template: 'migration-form',
    shows: "The migration form as `migrate` opens it in a personal chat: teams and the admin's own chats to pick from.",
    card: () => renderCard('migration-form', emptyForm),
  },
  {
    name: 'form-channel-step',
    template: 'migration-form',
    shows: 'After Next with a team chosen: the channels of that team, with their kind, to pick from.',
    card: () => renderCard('migration-form', { ...emptyForm, teamId: MY_TEAM, teamName: 'My Team', channelChoices: myTeamChannels, date: '2020-01-01' }),
  },
  {
    name: 'form-date-error',
    template: 'migration-form',
    shows: 'In a channel ("This channel" offered): a date that is not earlier than the channel\'s creation date, with the message beside the date.',
    card: () =>
      renderCard('migration-form', {
        ...emptyForm,
        kind: 'this',
        kindChoices: [{ title: 'This channel', value: 'this' }, ...kindChoices],
        teamId: MY_TEAM,
        teamName: 'My Team',
        date: '2025-01-01',
        time: '09:00',
        dateError: `The date ${both('2025-01-01T08:00:00Z')} is not earlier than "My Team › Announcements"'s current creation date, ${both(ANNOUNCEMENTS_CREATED)}. Choose an earlier date: the creation date can only move back in time.`,
        hint: `My Team › Announcements was created ${both(ANNOUNCEMENTS_CREATED)}.`,
      }),
  },
  {
    name: 'form-field-errors',
    template: 'migration-form',
    shows: 'Several problems at once: choices that could not be loaded, an unusable chat id and a malformed time.',
    card: () =>
      renderCard('migration-form', {
        ...emptyForm,
        kind: 'chat',
        chatText: 'hello',
        date: '2020-01-01',
        time: '25:99',
        error: `Some choices could not be loaded: ${explainFailure(failure({ status: 429, code: 'TooManyRequests', message: 'Too many requests.' }), 'list')}`,
        chatError: 'That is neither a chat id (19:…@thread.v2) nor a Teams chat link.',
        dateError: 'The time must be HH:mm, e.g. 09:30.',
      }),
  },

  {
    name: 'confirm-start',
    template: 'confirm-start',
    shows: 'The confirmation before `startMigration`: target, both dates, and what happens.',
    card: () =>
      renderCard('confirm-start', {
        opId: 'op_7QmZk2Yx9bR4tV1s',
        targetName: 'My Team › Announcements',
        targetKind: 'standard channel',
        currentCreated: both(ANNOUNCEMENTS_CREATED),
        newCreated: both('2019-12-31T23:00:00Z'),
        requestedBy: 'Alex Wilber',
        noDateWarning: '',
        migrationAppId: MIGRATION_APP,
        expires: both(EXPIRES),
      }),
  },
  {
    name: 'confirm-start-no-date',
    template: 'confirm-start',
    shows: "The same confirmation without a date: a warning that nothing older than today's creation date can be imported.",
    card: () =>
      renderCard('confirm-start', {
        opId: 'op_Hc8s1LwQ4eNn5pXa',
        targetName: 'Launch planning',
        targetKind: 'group chat',
        currentCreated: both(ANNOUNCEMENTS_CREATED),
        newCreated: 'unchanged (no date given)',
        requestedBy: 'Alex Wilber',
        migrationAppId: MIGRATION_APP,
        expires: both(EXPIRES),
        noDateWarning: `No date was given: the creation date stays ${both(ANNOUNCEMENTS_CREATED)}, so nothing older than that can be imported. To import older history, cancel and add "since <date>".`,
      }),
  },
  {
    name: 'private-view',
    template: 'private-view',
    shows: 'What everyone else in a channel sees while the requesting admin reviews a confirmation (refresh.userIds).',
    card: () =>
      renderCard('private-view', {
        opId: 'op_7QmZk2Yx9bR4tV1s',
        where: 'channel',
        verb: 'refreshView',
        buttonTitle: 'Show confirmation',
        requesterId: '29:alex-wilber',
        requester: 'Alex Wilber',
        title: 'Start migration?',
        summary: 'Alex Wilber is reviewing this for My Team › Announcements. Press "Show confirmation" if that is you.',
      }),
  },
  {
    name: 'private-view-form',
    template: 'private-view',
    shows: 'What everyone else in a channel sees while an admin fills in the migration form (refresh.userIds).',
    card: () =>
      renderCard('private-view', {
        opId: '',
        where: 'channel',
        verb: 'openForm',
        buttonTitle: 'Open my own form',
        requesterId: '29:alex-wilber',
        requester: 'Alex Wilber',
        title: 'Migration form',
        summary: 'Alex Wilber is filling in the migration form. Administrators can open their own with the button below.',
      }),
  },

  {
    name: 'outcome-started',
    template: 'outcome',
    shows: 'The result, in place of the confirmation: the thread read back, the migration app, next steps.',
    card: () => renderOutcome(startedOutcome),
  },
  {
    name: 'outcome-missing-permission',
    template: 'outcome',
    shows: 'Failure: the migration app lacks Teamwork.Migrate.All (Graph 403), with the Graph error, request-id and date.',
    card: () =>
      renderOutcome({
        title: 'Migration not started: My Team › Announcements',
        color: 'Attention',
        summary: explainFailure(missingPermission, 'start'),
        facts: [{ title: 'Target', value: 'My Team › Announcements (standard channel)' }],
        errorFacts: errorFacts(missingPermission),
      }),
  },
  {
    name: 'outcome-version-mismatch',
    template: 'outcome',
    shows: 'Failure: a one-on-one chat answered 412 "Version mismatch for thread resource".',
    card: () =>
      renderOutcome({
        title: 'Migration not started: one-on-one chat',
        color: 'Attention',
        summary: explainFailure(versionMismatch, 'start'),
        facts: [{ title: 'Target', value: 'one-on-one chat (one-on-one chat)' }],
        errorFacts: errorFacts(versionMismatch),
      }),
  },
  {
    name: 'outcome-expired',
    template: 'outcome',
    shows: 'Confirm pressed after the confirmation expired: nothing changed.',
    card: () =>
      renderOutcome({ title: 'Confirmation expired', color: 'Warning', summary: 'Nothing was changed. Run the command again to get a new confirmation.' }),
  },
  {
    name: 'outcome-cancelled',
    template: 'outcome',
    shows: 'Cancel pressed: nothing changed.',
    card: () => renderOutcome({ title: 'Cancelled', summary: 'Nothing was changed. My Team › Announcements is as it was.' }),
  },
  {
    name: 'outcome-status',
    template: 'outcome',
    shows: '`status` of a channel in migration: live state and, from the ledger, who started it with which date.',
    card: () =>
      renderOutcome({
        title: 'Status: Contoso Engineering › Legacy Import',
        color: 'Warning',
        facts: [
          { title: 'Target', value: 'Contoso Engineering › Legacy Import (standard channel)' },
          { title: 'migrationMode', value: 'inProgress — in migration (locked)' },
          { title: 'createdDateTime', value: both('2019-03-01T00:00:00Z') },
          { title: 'originalCreatedDateTime', value: both('2023-02-01T12:00:00Z') },
          { title: 'Started by', value: 'Megan Bowen' },
          { title: 'Started at', value: both('2025-01-15T08:00:00Z') },
          { title: 'Requested date', value: both('2019-03-01T00:00:00Z') },
        ],
        actions: [{ title: 'Complete migration', verb: 'completeAsk', opId: '', target: `channel:${ENGINEERING}:19:eng-legacy@thread.tacv2` }],
      }),
  },
  {
    name: 'outcome-completed',
    template: 'outcome',
    shows: 'The result of Complete: the thread is unlocked.',
    card: () =>
      renderOutcome({
        title: 'Migration completed: Contoso Engineering › Legacy Import',
        color: 'Good',
        summary: 'The thread is unlocked: the import banner is gone and members can post again.',
        facts: [
          { title: 'migrationMode', value: 'completed' },
          { title: 'createdDateTime', value: both('2019-03-01T00:00:00Z') },
          { title: 'Completed by', value: 'Alex Wilber' },
          { title: 'request-id', value: '0c4f1d2e-8a77-4b0e-a2f3-6d51c9e0b7a4' },
        ],
      }),
  },
  {
    name: 'outcome-owned-by-other-app',
    template: 'outcome',
    shows: 'Failure to complete: another app started this migration, and only it can complete it.',
    card: () =>
      renderOutcome({
        title: 'Migration not completed: Contoso Engineering › Vendor Archive',
        color: 'Attention',
        summary: explainFailure(otherOwner, 'complete'),
        errorFacts: errorFacts(otherOwner),
      }),
  },

  {
    name: 'confirm-complete',
    template: 'confirm',
    shows: 'The confirmation before `completeMigration`.',
    card: () =>
      renderCard(
        'confirm',
        confirmView({
          title: 'Complete migration?',
          facts: [
            { title: 'Target', value: 'Contoso Engineering › Legacy Import (standard channel)' },
            { title: 'createdDateTime', value: both('2019-03-01T00:00:00Z') },
          ],
          bullets: completeBullets,
          confirmTitle: 'Complete',
          confirmVerb: 'completeConfirm',
        }),
      ),
  },
  {
    name: 'confirm-typed-error',
    template: 'confirm',
    shows: 'A confirmation that needs a typed name, after a wrong one was typed.',
    card: () =>
      renderCard(
        'confirm',
        confirmView({
          title: 'Complete migration for 12 channels of Contoso Engineering?',
          facts: [
            { title: 'Team', value: `Contoso Engineering (${ENGINEERING})` },
            { title: 'Channels', value: '12' },
          ],
          warning: "More than 10 channels: type the team's name to confirm.",
          bullets: completeBullets,
          typedConfirmation: 'Contoso Engineering',
          typedError: '"Contoso" is not the team\'s name. Type Contoso Engineering exactly to confirm. Nothing was completed.',
          confirmTitle: 'Complete 12 channels',
          confirmVerb: 'bulkConfirm',
        }),
      ),
  },

  {
    name: 'list-locked',
    template: 'list',
    shows: '`locked`: threads this bot left in migration mode, verified live, with age, starter and buttons.',
    card: () =>
      renderCard('list', {
        title: 'Threads locked in migration mode',
        summary: '2 thread(s) started by this bot are still locked.',
        rows: [
          {
            heading: 'Contoso Engineering › Legacy Import',
            detail: `locked 677 days · started by Megan Bowen on ${both('2025-01-15T08:00:00Z')}`,
            buttons: [
              { title: 'Status', verb: 'status', target: `channel:${ENGINEERING}:19:eng-legacy@thread.tacv2` },
              { title: 'Complete', verb: 'completeAsk', target: `channel:${ENGINEERING}:19:eng-legacy@thread.tacv2` },
            ],
          },
          {
            heading: 'Imported from Slack',
            detail: `locked 12 days · started by Alex Wilber on ${both('2026-11-11T10:15:00Z')}`,
            buttons: [
              { title: 'Status', verb: 'status', target: 'chat:19:group-slack@thread.v2' },
              { title: 'Complete', verb: 'completeAsk', target: 'chat:19:group-slack@thread.v2' },
            ],
          },
        ],
        footer: 'Verified live against Microsoft Graph just now.',
      } satisfies ListView),
  },
  {
    name: 'list-locked-empty',
    template: 'list',
    shows: '`locked` when nothing is locked.',
    card: () =>
      renderCard('list', {
        title: 'Threads locked in migration mode',
        summary: 'No thread started by this bot is in migration mode.',
        rows: [],
        footer: 'Verified live against Microsoft Graph just now.',
      } satisfies ListView),
  },
  {
    name: 'list-team-status',
    template: 'list',
    shows: '`status team "My Team"`: every channel with its state.',
    card: () =>
      renderCard('list', {
        title: 'Channels of My Team',
        summary: '4 channels, 1 in migration mode.',
        rows: [
          { heading: 'General (standard)', detail: `never migrated · created ${both(ANNOUNCEMENTS_CREATED)}`, buttons: [] },
          {
            heading: 'Announcements (standard)',
            detail: `in migration (locked) · created ${both('2019-12-31T23:00:00Z')}`,
            buttons: [{ title: 'Complete', verb: 'completeAsk', target: `channel:${MY_TEAM}:19:myteam-announcements@thread.tacv2` }],
          },
          { heading: 'Project Falcon (private)', detail: `never migrated · created ${both(ANNOUNCEMENTS_CREATED)}`, buttons: [] },
          { heading: 'Partners (shared)', detail: `never migrated · created ${both(ANNOUNCEMENTS_CREATED)}`, buttons: [] },
        ],
        footer: '',
      } satisfies ListView),
  },
  {
    name: 'list-audit',
    template: 'list',
    shows: '`audit last 3`: ledger entries, including a refused non-admin and a Graph failure.',
    card: () =>
      renderCard('list', {
        title: 'Audit ledger: all targets',
        summary: 'Newest 3 entries.',
        rows: [
          {
            heading: 'start · succeeded · My Team › Announcements',
            detail: `${both('2026-11-23T18:26:57Z')} · Alex Wilber · date ${both('2019-12-31T23:00:00Z')} · request-id e3a30cf2-0541-4114-b157-7927d7df9866`,
            buttons: [],
          },
          {
            heading: 'refused · refused · no target',
            detail: `${both('2026-11-23T18:20:11Z')} · Lynne Robbins · Only Teams administrators can do this.`,
            buttons: [],
          },
          {
            heading: 'start · failed · one-on-one chat',
            detail: `${both('2026-11-23T18:12:40Z')} · Alex Wilber · date ${both('2019-12-31T23:00:00Z')} · request-id 5b1e7c0a-3f4d-4a8e-9c61-0d2f8b7a9e11 · PreconditionFailed Version mismatch for thread resource.`,
            buttons: [],
          },
        ],
        footer: 'Export everything as CSV with npm run audit:export -- --since <date>.',
      } satisfies ListView),
  },

  {
    name: 'bulk-preview',
    template: 'bulk-preview',
    shows: '`migrate team "Contoso Engineering" since 2020-01-01`: what happens to each channel; over 10 channels the team\'s name must be typed.',
    card: () => renderBulkPreview(bulkPreview({})),
  },
  {
    name: 'bulk-preview-typed-error',
    template: 'bulk-preview',
    shows: 'The bulk preview after a wrong team name was typed: nothing started.',
    card: () =>
      renderBulkPreview(bulkPreview({ typedError: '"Contoso" is not the team\'s name. Type Contoso Engineering exactly to confirm. Nothing was started.' })),
  },
  {
    name: 'bulk-preview-nothing-to-do',
    template: 'bulk-preview',
    shows: 'A bulk preview where every channel is skipped: nothing to confirm.',
    card: () =>
      renderBulkPreview(
        bulkPreview({
          title: 'Complete migration for 0 channels of My Team?',
          summary: 'Nothing to do: every channel is skipped, for the reasons below. Nothing was changed.',
          facts: [
            { title: 'Team', value: `My Team (${MY_TEAM})` },
            { title: 'Channels', value: '4' },
            { title: 'Will complete', value: '0' },
            { title: 'Skipped', value: '4' },
          ],
          bullets: [],
          rows: ['General', 'Announcements', 'Project Falcon (private)', 'Partners (shared)'].map((c) => ({
            line: `${c} — skipped: not in migration mode`,
            color: 'Warning' as const,
          })),
          more: '',
          typedConfirmation: '',
          expires: '',
          actions: [],
        }),
      ),
  },
  {
    name: 'bulk-progress',
    template: 'bulk-progress',
    shows: 'A running bulk job: counts, updated in place every few seconds.',
    card: () => renderBulkProgress(bulkProgress({})),
  },
  {
    name: 'bulk-progress-finished-with-failures',
    template: 'bulk-progress',
    shows: 'A finished bulk job with failures and skipped channels, each with its reason.',
    card: () =>
      renderBulkProgress(
        bulkProgress({
          title: 'Bulk start finished: Contoso Engineering',
          color: 'Warning',
          summary: '55 started, 2 failed, 9 skipped.',
          facts: progressFacts(55, 2, 9, 0),
          failures: [
            { line: 'Channel 14 (private): Graph refused access (Forbidden, request-id 7d0c2a51-9e3b-4f1a-8c6d-2b4e0f9a1c37)' },
            { line: 'Channel 42: Microsoft Graph is unavailable right now (ServiceUnavailable, request-id 1f8e6b20-4c7d-4e95-b3a2-9d0c5e7f6a18)' },
          ],
          skipped: [{ line: 'Legacy Import: skipped: already in migration mode' }, { line: 'Vendor Archive: skipped: already in migration mode' }],
          more: '…and 7 more; the audit ledger has every item.',
          nextSteps: [
            'Next: import the history with the same migration app, then type complete team "Contoso Engineering" to unlock the channels.',
            'Every item, with its Graph request-id, is in the audit ledger (type audit).',
          ],
          footer: `Finished ${both('2026-11-23T18:31:40Z')}.`,
        }),
      ),
  },

  {
    name: 'import-plan',
    template: 'import-plan',
    shows:
      'The plan card as it first appears after a Slack export is attached with `import into "My Team"`: four authors have no tenant user, so the fallback user must be chosen before Confirm import is offered; nothing has been written.',
    card: () =>
      renderPlanCard(
        planView(
          planInput({
            draft: draftOf({ fileName: 'acme-slack-export.zip', bytes: 9432, teamId: MY_TEAM, teamName: 'My Team' }),
            prepared: storyPlan(null),
            fallback: null,
          }),
        ).view,
      ),
  },
  {
    name: 'import-plan-ready',
    template: 'import-plan',
    shows:
      'The plan for a Slack export attached with `import into "My Team"`, after Update plan with a fallback user for the authors who have no tenant user: each channel matched by name, what will happen, and Confirm import.',
    card: () =>
      renderPlanCard(
        planView(
          planInput({
            draft: draftOf({ fileName: 'acme-slack-export.zip', bytes: 9432, teamId: MY_TEAM, teamName: 'My Team', fallbackUserId: ALEX }),
            prepared: storyPlan(alexAsFallback),
            fallback: alexAsFallback,
          }),
        ).view,
      ),
  },
  {
    name: 'import-plan-typed-confirmation',
    template: 'import-plan',
    shows:
      "A large import ready to confirm: a channel mapped by hand, one already in migration mode (its date kept), direct messages left out, a fallback user chosen, and the team's name to type.",
    card: () => {
      const sources = [...engineeringTargets.map((t) => t.source.id), 'C0RANDOM'];
      return renderPlanCard(
        planView(
          planInput({
            draft: draftOf({
              fileName: 'contoso-eng-slack-2016-2024.zip',
              bytes: 187_340_112,
              teamId: ENGINEERING,
              teamName: 'Contoso Engineering',
              sources,
              shown: [...engineeringTargets.map((t) => t.target.id), SKIP],
              maps: { C0DEPLOYS: engineering.ch03.id },
              fallbackUserId: '00000000-0000-0000-0000-000000000021',
              sends: engineeringPlan.plan.sends,
              typedRequired: true,
            }),
            prepared: engineeringPlan,
            teamChoices: [teamChoices[1], teamChoices[0], ...teamChoices.slice(2, 4)],
            fallback: { id: '00000000-0000-0000-0000-000000000021', displayName: 'Megan Bowen' },
          }),
        ).view,
      );
    },
  },
  {
    name: 'import-progress',
    template: 'import-progress',
    shows:
      'The plan card after Confirm import, updated in place every few seconds while the job runs: counts and rate per channel, time left, a failure so far, Pause and Cancel.',
    card: () =>
      renderCard(
        'import-progress',
        progressView(
          progressInput({
            job: importJob('running'),
            targets: runningTargets,
            rate: (key) => ({ [runningTargets[0].targetKey]: 4.9, [runningTargets[1].targetKey]: 4.8, [runningTargets[2].targetKey]: 5 })[key] ?? 0,
            // Updated in the background, outside any turn: no time zone of the admin at hand.
            timeZone: null,
          }),
        ),
      ),
  },
  {
    name: 'import-progress-paused',
    template: 'import-progress',
    shows: 'Pause pressed: nothing more is sent until Resume, which continues where the import stopped.',
    card: () =>
      renderCard(
        'import-progress',
        progressView(
          progressInput({
            job: importJob('paused'),
            targets: runningTargets.map((t) => (t.state === 'importing' ? { ...t, state: 'queued' as const } : t)),
            notice: 'Paused by Alex Wilber: the messages in flight finish, then nothing more is sent.',
          }),
        ),
      ),
  },
  {
    name: 'import-progress-finished',
    template: 'import-progress',
    shows: 'The summary once every channel is imported: what was imported, skipped and why, with Complete per channel and Complete all.',
    card: () =>
      renderCard(
        'import-progress',
        progressView(
          progressInput({
            job: importJob('done'),
            targets: doneTargets('imported'),
            timeZone: null,
            details: {
              skippedReasons: {
                "older than the channel's migration date (2019-03-01T00:00:00.000Z)": 2204,
                'channel event (channel_join)': 569,
                'channel event (channel_topic)': 9,
              },
              failed: [],
            },
          }),
        ),
      ),
  },
  {
    name: 'import-progress-cancelled',
    template: 'import-progress',
    shows: 'Cancel import pressed: what was imported stays, and the channels already started can be completed one by one.',
    card: () =>
      renderCard(
        'import-progress',
        progressView(
          progressInput({
            job: importJob('cancelled'),
            targets: [
              importTarget(0, tGeneral, 'importing', 3120),
              importTarget(1, tCh01, 'imported', tCh01.planned),
              importTarget(2, tDeploys, 'queued', 0),
              importTarget(3, tLegacy, 'queued', 0),
            ],
            notice: 'Cancelled by Alex Wilber. Messages already imported stay; the channels stay in migration mode until completed.',
          }),
        ),
      ),
  },
];

function cardOf(reply: ReturnType<typeof helpCard>): AdaptiveCardJson {
  if (reply.kind !== 'card') throw new Error('expected a card reply');
  return reply.card;
}
