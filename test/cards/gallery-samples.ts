import { renderCard, renderOutcome, type AdaptiveCardJson } from '../../src/cards/renderer';
import type { BulkPreviewView, BulkProgressView, ConfirmView, ListView, MigrationFormView, OutcomeDraft, TemplateName } from '../../src/cards/card-data';
import { renderBulkPreview, renderBulkProgress } from '../../src/features/bulk/bulk-cards';
import { helpCard, WELCOME_INTRO } from '../../src/features/help/help';
import { errorFacts } from '../../src/features/shared/error-facts';
import { formatBoth } from '../../src/domain/parse/dates';
import { explainFailure } from '../../src/domain/explain-failure';
import type { GraphFailure } from '../../src/domain/graph-failure';

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
];

function cardOf(reply: ReturnType<typeof helpCard>): AdaptiveCardJson {
  if (reply.kind !== 'card') throw new Error('expected a card reply');
  return reply.card;
}
