import { renderCard, type ListView, type OutcomeView } from '../../cards/renderer';
import { explainFailure } from '../../domain/explain-failure';
import { formatBoth } from '../../domain/parse/dates';
import type { TargetSpec } from '../../domain/parse/command-parser';
import { targetKey, threadKindLabel } from '../../domain/targets';
import { toGraphCallError } from '../../graph/graph-errors';
import type { Channel, Chat, TeamsDirectory } from '../../graph/teams-directory';
import { lastImport, lastStart } from '../../store/ledger-queries';
import { importSummary } from '../shared/import-summary';
import type { Store } from '../../store/ports/store';
import { card, text, type ActingContext, type FlowReply } from '../shared/acting';
import { resolveAsAdmin } from '../shared/admin-target';
import { MAX_LIST_ROWS } from '../shared/list-card';
import type { OperationGuard } from '../shared/operation-guard';
import type { ConversationPlace, TargetResolver } from '../shared/target-resolver';

/** What the status views need: the guard, the resolver, live Graph reads and the ledger. */
export interface StatusDeps {
  guard: OperationGuard;
  resolver: TargetResolver;
  directory: TeamsDirectory;
  store: Store;
}

/** A thread's `migrationMode` in an admin's words. */
const modeLabel = (mode: string | null | undefined): string =>
  mode === 'inProgress' ? 'in migration (locked)' : mode === 'completed' ? 'migration completed' : 'never migrated';

/**
 * `status <target>` and `status team <team>`: read-only views of where threads stand. The state is
 * read live from Graph; who started a migration, when and with which date comes from the ledger.
 */
export class StatusFlow {
  constructor(private readonly deps: StatusDeps) {}

  /** `status <target>`: live state plus who started it, when, with which date. */
  async status(who: ActingContext, spec: TargetSpec, place: ConversationPlace, command: string): Promise<FlowReply> {
    const target = await resolveAsAdmin(this.deps, who, spec, place, 'status', command);
    if (!('ref' in target)) return target;
    const thread: Channel | Chat = target.kind === 'channel' ? target.channel : target.chat;
    const started = await lastStart(this.deps.store, targetKey(target.ref));
    const tz = who.timeZone;
    const facts = [
      { title: 'Target', value: `${target.displayName} (${threadKindLabel(target)})` },
      { title: 'migrationMode', value: `${thread.migrationMode ?? 'null'} — ${modeLabel(thread.migrationMode)}` },
      { title: 'createdDateTime', value: formatBoth(thread.createdDateTime, tz) },
      { title: 'originalCreatedDateTime', value: thread.originalCreatedDateTime ? formatBoth(thread.originalCreatedDateTime, tz) : 'never backdated' },
    ];
    if (started) {
      facts.push(
        { title: 'Started by', value: started.actor.name ?? started.actor.aadObjectId ?? 'unknown' },
        { title: 'Started at', value: formatBoth(started.at, tz) },
        {
          title: 'Requested date',
          value:
            typeof started.parameters.conversationCreationDateTime === 'string' && started.parameters.conversationCreationDateTime
              ? formatBoth(started.parameters.conversationCreationDateTime, tz)
              : 'none (date unchanged)',
        },
      );
    } else {
      facts.push({ title: 'Ledger', value: 'no migration by this bot recorded for this thread' });
    }
    const imported = await lastImport(this.deps.store, targetKey(target.ref));
    if (imported)
      facts.push({ title: 'History import', value: `${importSummary(imported)} · ${formatBoth(imported.at, tz)} · ${imported.actor.name ?? 'unknown'}` });
    const view: Pick<OutcomeView, 'title'> & Partial<OutcomeView> = {
      title: `Status: ${target.displayName}`,
      color: thread.migrationMode === 'inProgress' ? 'Warning' : 'Default',
      facts,
      actions: thread.migrationMode === 'inProgress' ? [{ title: 'Complete migration', verb: 'completeAsk', opId: '', target: targetKey(target.ref) }] : [],
    };
    return card(renderCard('outcome', { color: 'Default', summary: '', facts: [], nextSteps: [], errorFacts: [], actions: [], ...view }));
  }

  /** `status team <team>`: every channel of a team with its state. */
  async statusTeam(who: ActingContext, teamName: string, command: string): Promise<FlowReply> {
    const refusal = await this.deps.guard.refuseNonAdmin(who, 'status', { command });
    if (refusal) return refusal;
    const team = await this.deps.resolver.resolveTeam(teamName);
    if (!team.ok) return text(team.message);
    let channels: Channel[];
    try {
      channels = await this.deps.directory.listChannels(team.value.id);
    } catch (err) {
      return text(explainFailure(toGraphCallError(err).failure, 'list'));
    }
    const locked = channels.filter((c) => c.migrationMode === 'inProgress').length;
    // Locked channels first: they are what an admin looks for, and the card has a row limit.
    channels = [...channels].sort((a, b) => Number(b.migrationMode === 'inProgress') - Number(a.migrationMode === 'inProgress'));
    const view: ListView = {
      title: `Channels of ${team.value.displayName}`,
      summary: `${channels.length} channels, ${locked} in migration mode.`,
      rows: channels.slice(0, MAX_LIST_ROWS).map((c) => ({
        heading: `${c.displayName} (${c.membershipType})`,
        detail: `${modeLabel(c.migrationMode)} · created ${formatBoth(c.createdDateTime, who.timeZone)}`,
        buttons:
          c.migrationMode === 'inProgress'
            ? [{ title: 'Complete', verb: 'completeAsk', target: targetKey({ kind: 'channel', teamId: team.value.id, channelId: c.id }) }]
            : [],
      })),
      footer:
        channels.length > MAX_LIST_ROWS
          ? `…and ${channels.length - MAX_LIST_ROWS} more channels. Locked ones first; use status on a channel for the rest.`
          : '',
    };
    return card(renderCard('list', view));
  }
}
