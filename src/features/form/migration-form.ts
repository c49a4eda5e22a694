import { renderCard } from '../../cards/renderer';
import { explainFailure } from '../../domain/explain-failure';
import { toGraphCallError } from '../../graph/graph-errors';
import type { Channel, TeamsDirectory } from '../../graph/teams-directory';
import { formatBoth, parseFormDateTime } from '../../domain/parse/dates';
import { isChannelId, isChatId, isGuid, isUserRef } from '../../domain/parse/ids';
import { looksLikeLink, parseTeamsLink } from '../../domain/parse/teams-links';
import type { TargetSpec } from '../../domain/parse/command-parser';
import type { ResolvedTarget, TargetResolver } from '../shared/target-resolver';
import { chatDisplayName } from '../shared/target-resolver';
import type { ActingContext, FlowReply } from '../shared/acting';
import type { ButtonHandler, Conversation } from '../shared/conversation';
import type { OperationGuard } from '../shared/operation-guard';
import type { StartMigrationFlow } from '../start/start-migration';
import { preflightProblem } from '../start/start-migration';

export interface MigrationFormDeps {
  guard: OperationGuard;
  resolver: TargetResolver;
  directory: TeamsDirectory;
  start: StartMigrationFlow;
}

/** What the admin entered so far (all of it untrusted card input). */
interface FormInput {
  kind: string;
  teamId: string;
  channelId: string;
  chatId: string;
  chatText: string;
  /** Whose chats to list: empty for the admin's own, else a UPN or object id. */
  chatsOf: string;
  date: string;
  time: string;
  /**
   * 'yes' when the form was opened from the presser's own summary message (its refresh), which its
   * steps may rewrite; '' when opened over someone else's message or a help card, which stays as it is.
   */
  ownMessage: string;
}

interface FormErrors {
  error: string;
  teamError: string;
  channelError: string;
  chatError: string;
  dateError: string;
}

const STATIC_TEAMS = 25;

/** The bulk flow's preview, as the form's "Preview bulk migration" hands it the picked channels. */
export type BulkAsk = (conversation: Conversation, args: { team: string; since: string | null; channelIds: string[] }) => Promise<FlowReply>;

/** The card verbs the form answers; `formBulk` only when bulk jobs are wired. */
export interface FormButtons {
  formNext: ButtonHandler;
  formBulk?: ButtonHandler;
}

/** Personal chat, channel or group chat, as the edge read it from the activity. */
function kindOf(conversation: Conversation): 'personal' | 'channel' | 'groupChat' {
  return conversation.who.conversationKind ?? 'personal';
}

/**
 * Where the form is opened. A card refresh from some clients omits the conversation type; the
 * summary card then says where it was shown. Only ever widens a personal guess (offering "this
 * channel"), and "this" is still resolved from the activity itself.
 */
function placeOf(conversation: Conversation, where: unknown): 'personal' | 'channel' | 'groupChat' {
  const kind = kindOf(conversation);
  return kind === 'personal' && (where === 'channel' || where === 'groupChat') ? where : kind;
}

const noErrors: FormErrors = { error: '', teamError: '', channelError: '', chatError: '', dateError: '' };

function str(v: unknown, max = 2000): string {
  return typeof v === 'string' ? v.trim().slice(0, max) : '';
}

function channelTitle(c: Channel): string {
  const state = c.migrationMode === 'inProgress' ? ' — already in migration' : c.migrationMode === 'completed' ? ' — migrated before' : '';
  return `${c.displayName} (${c.membershipType})${state}`;
}

/**
 * The migration form: pick a target without knowing ids, pick a date in the admin's zone, see
 * problems beside the field, then get the same confirmation card as the text command — all on
 * one card updated in place. Works without type-ahead (static first page, a Next step for the
 * channels of the chosen team), so it runs in the Agents Playground as well as in Teams.
 */
export class MigrationFormFlow {
  constructor(private readonly deps: MigrationFormDeps) {}

  /**
   * Card verbs this flow answers. `formBulk` hands the channels picked in the multi-select, with
   * the form's date, to the bulk flow's preview (`bulkAsk`).
   */
  buttons(bulkAsk?: BulkAsk): FormButtons {
    // In a channel several admins can each be on their own form over the same summary message: a
    // step of a form opened over someone else's message never rewrites it (it names whoever asked
    // first). The card's `ownMessage` is untrusted, but at worst lets an admin rewrite a summary.
    const keepMessage = (data: Record<string, unknown>, reply: FlowReply): FlowReply =>
      reply.kind === 'card' && data.ownMessage !== 'yes' ? { ...reply, keepsSharedMessage: true } : reply;
    return {
      formNext: async (conversation, data) => keepMessage(data, await this.next(conversation, data)),
      ...(bulkAsk
        ? { formBulk: async (conversation: Conversation, data: Record<string, unknown>) => keepMessage(data, await this.bulk(conversation, data, bulkAsk)) }
        : {}),
    };
  }

  /** "Preview bulk migration": checks team, channels and date, then asks the bulk flow for its preview. */
  private async bulk(conversation: Conversation, data: Record<string, unknown>, bulkAsk: BulkAsk): Promise<FlowReply> {
    const who = conversation.who;
    const teamId = str(data.teamId, 100);
    const channelIds = str(data.channelIds, 20000)
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    const date = str(data.date, 40);
    const problem = !isGuid(teamId)
      ? { teamError: 'Choose a team.' }
      : channelIds.length === 0 || channelIds.some((c) => !isChannelId(c))
        ? { channelError: 'Choose one or more channels in the bulk list.' }
        : !date
          ? { dateError: 'Choose the new creation date for the bulk migration.' }
          : null;
    if (problem) return this.next(conversation, { ...data, kind: 'channel', channelId: '' }, problem);
    const since = parseFormDateTime(date, str(data.time, 20), who.timeZone);
    if (!since.ok) return this.next(conversation, { ...data, kind: 'channel', channelId: '' }, { dateError: since.message });
    return bulkAsk(conversation, { team: teamId, since: since.iso, channelIds });
  }

  /** Opens an empty form (admins only). */
  async open(conversation: Conversation, where?: unknown, owner?: unknown): Promise<FlowReply> {
    const who = conversation.who;
    const refusal = await this.deps.guard.refuseNonAdmin(who, 'open form', {});
    if (refusal) return refusal;
    const type = placeOf(conversation, where);
    const input: FormInput = {
      kind: type === 'channel' || type === 'groupChat' ? 'this' : 'channel',
      teamId: '',
      channelId: '',
      chatId: '',
      chatText: '',
      chatsOf: '',
      date: '',
      time: '',
      ownMessage: typeof owner === 'string' && owner !== '' && owner === conversation.userId ? 'yes' : '',
    };
    return this.render(conversation, who, input, noErrors, [], '', '', type);
  }

  /** Type-ahead for the team picker (`application/search`, dataset `teams`). */
  async searchTeams(conversation: Conversation, queryText: string, count: number): Promise<{ title: string; value: string }[]> {
    const who = conversation.who;
    const decision = await this.deps.guard.refuseNonAdmin(who, 'search', {});
    if (decision) return [];
    const teams = await this.deps.directory.searchTeams(str(queryText, 256), Math.min(Math.max(count || 15, 1), 15));
    return teams.map((t) => ({ title: t.displayName, value: t.id }));
  }

  private async render(
    conversation: Conversation,
    who: ActingContext,
    input: FormInput,
    errors: FormErrors,
    channels: Channel[],
    teamName: string,
    hint: string,
    type: 'personal' | 'channel' | 'groupChat' = kindOf(conversation),
  ): Promise<FlowReply> {
    const kindChoices = [
      ...(type === 'channel' ? [{ title: 'This channel', value: 'this' }] : []),
      ...(type === 'groupChat' ? [{ title: 'This chat', value: 'this' }] : []),
      { title: 'A channel of a team', value: 'channel' },
      { title: 'A chat', value: 'chat' },
    ];
    let teamChoices: { title: string; value: string }[] = [];
    let chatChoices: { title: string; value: string }[] = [];
    try {
      teamChoices = (await this.deps.directory.searchTeams('', STATIC_TEAMS)).map((t) => ({ title: t.displayName, value: t.id }));
      if (input.teamId && isGuid(input.teamId) && !teamChoices.some((c) => c.value === input.teamId)) {
        teamChoices.unshift({ title: teamName || input.teamId, value: input.teamId });
      }
      const chatsOf = input.chatsOf && isUserRef(input.chatsOf) ? input.chatsOf : who.aadObjectId;
      if (chatsOf) {
        chatChoices = (await this.deps.directory.listUserChats(chatsOf, 25))
          .filter((c) => c.chatType !== 'meeting')
          .map((c) => ({ title: `${chatDisplayName(c)}${c.migrationMode === 'inProgress' ? ' — already in migration' : ''}`, value: c.id }));
      }
    } catch (err) {
      const failure = toGraphCallError(err).failure;
      if (input.chatsOf && failure.status === 404) errors = { ...errors, chatError: `No user "${input.chatsOf}" was found in your organisation.` };
      else errors = { ...errors, error: errors.error || `Some choices could not be loaded: ${explainFailure(failure, 'list')}` };
    }
    return {
      kind: 'card',
      privateVerb: 'openForm',
      card: renderCard('migration-form', {
        ...errors,
        kind: input.kind,
        kindChoices,
        teamId: input.teamId,
        teamChoices,
        teamName,
        channelId: input.channelId,
        channelChoices: channels.map((c) => ({ title: channelTitle(c), value: c.id })),
        chatId: input.chatId,
        chatChoices,
        chatText: input.chatText,
        chatsOf: input.chatsOf,
        chatsOfLabel: input.chatsOf && isUserRef(input.chatsOf) ? `chats of ${input.chatsOf}` : 'your chats',
        date: input.date,
        time: input.time,
        zoneLabel: who.timeZone ?? 'UTC',
        hint,
        ownMessage: input.ownMessage,
      }),
    };
  }

  /** "Next": validate what is there, show the next choices or the errors, or move on to confirmation. */
  async next(conversation: Conversation, data: Record<string, unknown>, extraErrors: Partial<FormErrors> = {}): Promise<FlowReply> {
    const who = conversation.who;
    const refusal = await this.deps.guard.refuseNonAdmin(who, 'form', {});
    if (refusal) return refusal;
    const input: FormInput = {
      kind: str(data.kind, 20),
      teamId: str(data.teamId, 100),
      channelId: str(data.channelId, 300),
      chatId: str(data.chatId, 300),
      chatText: str(data.chatText),
      chatsOf: str(data.chatsOf, 256),
      date: str(data.date, 40),
      time: str(data.time, 20),
      ownMessage: data.ownMessage === 'yes' ? 'yes' : '',
    };
    const errors: FormErrors = { ...noErrors };
    let channels: Channel[] = [];
    let teamName = '';
    let spec: TargetSpec | null = null;

    if (input.kind === 'this') {
      spec = { kind: 'this' };
    } else if (input.kind === 'channel') {
      if (!input.teamId) errors.teamError = 'Choose a team.';
      else if (!isGuid(input.teamId)) errors.teamError = 'That is not a team from the list. Choose one again.';
      else {
        const team = await this.deps.resolver.resolveTeam(input.teamId);
        if (!team.ok) errors.teamError = team.message;
        else {
          teamName = team.value.displayName;
          try {
            channels = await this.deps.directory.listChannels(team.value.id);
          } catch (err) {
            errors.teamError = explainFailure(toGraphCallError(err).failure, 'list');
          }
          // No channel yet is the next step, not a mistake: the card shows a neutral hint.
          if (!input.channelId) spec = null;
          else if (!isChannelId(input.channelId) || !channels.some((c) => c.id === input.channelId)) {
            errors.channelError = `That channel is not in ${teamName}. Choose one from the list.`;
          } else spec = { kind: 'channel', team: team.value.id, channel: input.channelId };
        }
      }
    } else if (input.kind === 'chat') {
      const pasted = input.chatText;
      if (input.chatsOf && !isUserRef(input.chatsOf))
        errors.chatError = "To list another user's chats, enter their sign-in name (name@contoso.com) or Entra object id.";
      if (pasted) {
        if (looksLikeLink(pasted)) {
          const link = parseTeamsLink(pasted);
          if (!link.ok) errors.chatError = link.message;
          else if (link.link.kind !== 'chat') errors.chatError = 'That is a channel link. Choose "A channel of a team" or paste a chat link.';
          else spec = { kind: 'link', link: link.link };
        } else if (isChatId(pasted)) spec = { kind: 'chat', chatId: pasted };
        else errors.chatError = 'That is neither a chat id (19:…@thread.v2) nor a Teams chat link.';
      } else if (input.chatId) {
        if (isChatId(input.chatId)) spec = { kind: 'chat', chatId: input.chatId };
        else errors.chatError = 'That is not a chat from the list. Choose one again.';
      } else if (!errors.chatError) {
        errors.chatError = input.chatsOf
          ? `Choose one of the chats of ${input.chatsOf} from the list, or paste a chat id or link.`
          : 'Choose one of your chats, or paste a chat id or link.';
      }
    } else {
      errors.error = 'Choose what to migrate: a channel or a chat.';
    }

    let since: string | null = null;
    if (!input.date) errors.dateError = 'Choose the new creation date: the earliest date of the history you will import.';
    else {
      const parsed = parseFormDateTime(input.date, input.time, who.timeZone);
      if (parsed.ok) since = parsed.iso;
      else errors.dateError = parsed.message;
    }

    let target: ResolvedTarget | null = null;
    let hint = '';
    if (spec) {
      const resolved = await this.deps.resolver.resolve(spec, conversation.place);
      if (!resolved.ok) {
        if (input.kind === 'chat') errors.chatError = resolved.message;
        else if (input.kind === 'channel') errors.channelError = resolved.message;
        else errors.error = resolved.message;
      } else {
        target = resolved.value;
        const thread = target.kind === 'channel' ? target.channel : target.chat;
        hint = `${target.displayName} was created ${formatBoth(thread.createdDateTime, who.timeZone)}.`;
        if (target.kind === 'channel') {
          teamName = target.team.displayName;
          if (input.kind === 'this') input.teamId = target.team.id;
        }
        const problem = preflightProblem(target, since, who.timeZone);
        if (problem) {
          const field: keyof FormErrors =
            problem.rule === 'date-not-earlier' ? 'dateError' : input.kind === 'chat' ? 'chatError' : input.kind === 'channel' ? 'channelError' : 'error';
          errors[field] = problem.message;
        }
      }
    }

    Object.assign(errors, Object.fromEntries(Object.entries(extraErrors).filter(([, v]) => v)));
    const hasErrors = Object.values(errors).some(Boolean);
    if (hasErrors || !target || !since) return this.render(conversation, who, input, errors, channels, teamName, hint);
    return this.deps.start.confirmation(who, target, since);
  }
}
