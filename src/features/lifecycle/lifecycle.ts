import { renderCard, ListView, OutcomeView } from '../../cards/renderer';
import { explainFailure } from '../../graph/explain-failure';
import { toGraphCallError } from '../../graph/graph-errors';
import type { MigrationApi } from '../../graph/migration-api';
import { snapshotOf } from '../../domain/targets';
import type { Channel, Chat, TeamsDirectory } from '../../graph/teams-directory';
import type { LedgerEntry, LedgerStore } from '../../store/ports/ledger';
import type { PendingOperationStore } from '../../store/ports/pending-operations';
import type { TargetRef, ThreadSnapshot } from '../../domain/targets';
import { targetDisplayName, targetKey } from '../../domain/targets';
import { lastStart, openMigrations } from '../../store/ledger-queries';
import { daysBetween, formatBoth } from '../../domain/parse/dates';
import { isChannelId, isChatId, isGuid } from '../../domain/parse/ids';
import type { TargetSpec } from '../../domain/parse/command-parser';
import type { ConversationPlace, ResolvedTarget, TargetResolver } from '../shared/target-resolver';
import { ActingContext, card, FlowReply, ledgerEntry, text } from '../shared/acting';
import type { OperationGuard } from '../shared/operation-guard';
import { errorFacts, kindLabel } from '../start/start-migration';
import { mayHaveHappened, nothingChanged, settleWrite } from '../shared/settle-write';

export interface LifecycleDeps {
  guard: OperationGuard;
  resolver: TargetResolver;
  directory: TeamsDirectory;
  migration: MigrationApi;
  store: LedgerStore & PendingOperationStore;
  migrationAppId: string;
}

interface CompletePayload {
  target: TargetRef;
  targetName: string;
  targetKind: string;
  [key: string]: unknown;
}

/** Parses a target key from a card button (`channel:{team}:{channel}` / `chat:{id}`) back into a target. */
export function specFromTargetKey(key: unknown): TargetSpec | null {
  if (typeof key !== 'string' || key.length > 600) return null;
  const channel = /^channel:([^:]+):(.+)$/.exec(key);
  if (channel && isGuid(channel[1]) && isChannelId(channel[2])) return { kind: 'channel', team: channel[1], channel: channel[2] };
  const chat = /^chat:(.+)$/.exec(key);
  if (chat && isChatId(chat[1])) return { kind: 'chat', chatId: chat[1] };
  return null;
}

/** Rows per list card: Teams refuses messages over about 100 KB, and nobody reads 1,000 rows. */
const MAX_ROWS = 50;

/** Runs `fn` over `items` with at most `limit` at once, keeping order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const modeLabel = (mode: string | null | undefined): string => (mode === 'inProgress' ? 'in migration (locked)' : mode === 'completed' ? 'migration completed' : 'never migrated');

/**
 * Status, complete, the board of locked threads and the audit view: everything after a migration
 * has started. Reads are live from Graph; who started what comes from the ledger.
 */
export class LifecycleFlows {
  constructor(private readonly deps: LifecycleDeps) {}

  private async resolveAsAdmin(who: ActingContext, spec: TargetSpec, place: ConversationPlace, attempted: string, command: string): Promise<ResolvedTarget | FlowReply> {
    const refusal = await this.deps.guard.refuseNonAdmin(who, attempted, { command });
    if (refusal) return refusal;
    const resolved = await this.deps.resolver.resolve(spec, place);
    return resolved.ok ? resolved.value : text(resolved.message);
  }

  /** `status <target>`: live state plus who started it, when, with which date. */
  async status(who: ActingContext, spec: TargetSpec, place: ConversationPlace, command: string): Promise<FlowReply> {
    const target = await this.resolveAsAdmin(who, spec, place, 'status', command);
    if (!('ref' in target)) return target;
    const thread: Channel | Chat = target.kind === 'channel' ? target.channel : target.chat;
    const started = await lastStart(this.deps.store, targetKey(target.ref));
    const tz = who.timeZone;
    const facts = [
      { title: 'Target', value: `${target.displayName} (${kindLabel(target)})` },
      { title: 'migrationMode', value: `${thread.migrationMode ?? 'null'} — ${modeLabel(thread.migrationMode)}` },
      { title: 'createdDateTime', value: formatBoth(thread.createdDateTime, tz) },
      { title: 'originalCreatedDateTime', value: thread.originalCreatedDateTime ? formatBoth(thread.originalCreatedDateTime, tz) : 'never backdated' },
    ];
    if (started) {
      facts.push(
        { title: 'Started by', value: started.actor.name ?? started.actor.aadObjectId ?? 'unknown' },
        { title: 'Started at', value: formatBoth(started.at, tz) },
        { title: 'Requested date', value: started.parameters.conversationCreationDateTime ? formatBoth(String(started.parameters.conversationCreationDateTime), tz) : 'none (date unchanged)' },
      );
    } else {
      facts.push({ title: 'Ledger', value: 'no migration by this bot recorded for this thread' });
    }
    const view: Pick<OutcomeView, 'title'> & Partial<OutcomeView> = {
      title: `Status: ${target.displayName}`,
      color: thread.migrationMode === 'inProgress' ? 'Warning' : 'Default',
      facts,
      actions:
        thread.migrationMode === 'inProgress' ? [{ title: 'Complete migration', verb: 'completeAsk', opId: '', target: targetKey(target.ref) }] : [],
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
      rows: channels.slice(0, MAX_ROWS).map((c) => ({
        heading: `${c.displayName} (${c.membershipType})`,
        detail: `${modeLabel(c.migrationMode)} · created ${formatBoth(c.createdDateTime, who.timeZone)}`,
        buttons: c.migrationMode === 'inProgress' ? [{ title: 'Complete', verb: 'completeAsk', target: targetKey({ kind: 'channel', teamId: team.value.id, channelId: c.id }) }] : [],
      })),
      footer: channels.length > MAX_ROWS ? `…and ${channels.length - MAX_ROWS} more channels. Locked ones first; use status on a channel for the rest.` : '',
    };
    return card(renderCard('list', view));
  }

  /** `complete <target>` and the Complete button: pre-flight, then a confirmation card. */
  async completeAsk(who: ActingContext, spec: TargetSpec, place: ConversationPlace, command: string): Promise<FlowReply> {
    const target = await this.resolveAsAdmin(who, spec, place, 'complete', command);
    if (!('ref' in target)) return target;
    const thread: Channel | Chat = target.kind === 'channel' ? target.channel : target.chat;
    if (thread.migrationMode !== 'inProgress') {
      return text(
        thread.migrationMode === 'completed'
          ? `"${target.displayName}" already completed its migration; there is nothing to complete.`
          : `"${target.displayName}" is not in migration mode (it was never started), so there is nothing to complete.`,
      );
    }
    const payload: CompletePayload = { target: target.ref, targetName: target.displayName, targetKind: kindLabel(target) };
    const title = 'Complete migration?';
    return this.deps.guard.create(who, 'complete', payload, title, (opId, expiresAt) =>
      renderCard('confirm', {
        title,
        facts: [
          { title: 'Target', value: `${target.displayName} (${payload.targetKind})` },
          { title: 'createdDateTime', value: formatBoth(thread.createdDateTime, who.timeZone) },
        ],
        warning: '',
        bullets: [
          'The import banner goes away and members can post again.',
          'No more history can be imported with its original timestamps unless a new migration is started.',
          `Only the app that started the migration can complete it; this bot uses ${this.deps.migrationAppId}.`,
        ],
        typedConfirmation: '',
        typedError: '',
        expires: formatBoth(expiresAt, who.timeZone),
        confirmTitle: 'Complete',
        confirmVerb: 'completeConfirm',
        opId,
      }),
    );
  }

  /** Confirmed: `completeMigration` once, the thread read back, the ledger written. */
  async completeConfirm(who: ActingContext, opId: unknown): Promise<FlowReply> {
    const claimed = await this.deps.guard.claimForButton(who, opId, ['complete'], 'complete');
    if (!('state' in claimed)) return claimed;
    const payload = claimed.payload as CompletePayload;
    const read = () => this.deps.directory.getThread(payload.target);
    let before: ThreadSnapshot | null = null;
    try {
      before = snapshotOf(await read());
    } catch {
      // The write below reports the real problem; `before` is only for the ledger.
    }
    const base = { action: 'complete' as const, target: payload.target, targetKey: targetKey(payload.target), parameters: {}, jobId: null, before };
    const succeed = (requestId: string | null, after: ThreadSnapshot | null, reconciled: boolean) =>
      this.deps.guard.finish(claimed.id, {
        title: `Migration completed: ${payload.targetName}`,
        color: 'Good',
        summary: reconciled
          ? 'Graph did not confirm the call, but reading the thread back shows the migration is completed: the thread is unlocked.'
          : 'The thread is unlocked: the import banner is gone and members can post again.',
        facts: [
          { title: 'migrationMode', value: after?.migrationMode ?? 'completed (not read back)' },
          { title: 'createdDateTime', value: formatBoth(after?.createdDateTime ?? before?.createdDateTime, who.timeZone) },
          { title: 'Completed by', value: who.name ?? who.aadObjectId ?? 'unknown' },
          { title: 'request-id', value: requestId ?? 'none' },
        ],
      }, ledgerEntry(who, { ...base, outcome: 'succeeded', error: null, requestId, after }));
    // Only the Graph call is inside the try: a failure to record the outcome must not be taken for
    // a failed completion (and reconciled and recorded a second time).
    let completed: { requestId: string | null } | null = null;
    let callError: unknown = null;
    try {
      completed = await this.deps.migration.completeMigration(payload.target);
    } catch (err) {
      callError = err;
    }
    if (completed) {
      let after: ThreadSnapshot | null = null;
      try {
        after = snapshotOf(await read());
      } catch {
        // Completed all the same; the card says the state was not read back.
      }
      return succeed(completed.requestId, after, false);
    }
    const failure = toGraphCallError(callError).failure;
    let summary = explainFailure(failure, 'complete');
    let outcome: 'failed' | 'unknown' = failure.outcomeUnknown ? 'unknown' : 'failed';
    // A lost answer, or graph-client's retry of a completion that had worked ("not in migration"),
    // is settled by reading the thread.
    if (before?.migrationMode === 'inProgress' && mayHaveHappened(failure, /finali[sz]ed|not in migration|not in a migration/i)) {
      const settled = await settleWrite(this.deps.directory, payload.target, (now) => now.migrationMode === 'completed');
      if (settled.state === 'happened') return succeed(failure.requestId, settled.snapshot, true);
      if (settled.state === 'not-happened' && failure.outcomeUnknown) {
        summary = nothingChanged(failure);
        outcome = 'failed';
      }
    }
    return this.deps.guard.finish(claimed.id, {
      title: `Migration not completed: ${payload.targetName}`,
      color: 'Attention',
      summary,
      errorFacts: errorFacts(failure),
    }, ledgerEntry(who, { ...base, outcome, error: { status: failure.status, code: failure.code, message: failure.message }, requestId: failure.requestId, after: null }));
  }

  /** `locked`: threads this bot started that are still in migration mode, verified live. */
  async locked(who: ActingContext, command = 'locked'): Promise<FlowReply> {
    const refusal = await this.deps.guard.refuseNonAdmin(who, 'locked', { command });
    if (refusal) return refusal;
    const open = await openMigrations(this.deps.store, who.tenantId ?? undefined);
    const now = new Date();
    // Live check, a few reads at a time (Graph allows 30 requests/s per app and tenant).
    const states = await mapLimited(open, 4, async (entry) => {
      try {
        return (await this.deps.directory.getThread(entry.target!)).migrationMode as string | null;
      } catch (err) {
        const failure = toGraphCallError(err).failure;
        return failure.status === 404 ? 'gone' : `unknown (${failure.code})`;
      }
    });
    const lockedEntries = open.filter((_, i) => states[i] === 'inProgress' || String(states[i]).startsWith('unknown'));
    const rows: ListView['rows'] = lockedEntries.slice(0, MAX_ROWS).map((entry) => {
      const mode = states[open.indexOf(entry)];
      return {
        heading: targetDisplayName(entry.target!),
        detail: `locked ${daysBetween(entry.at, now)} days · started by ${entry.actor.name ?? entry.actor.aadObjectId ?? 'unknown'} on ${formatBoth(entry.at, who.timeZone)}${String(mode).startsWith('unknown') ? ` · state ${mode}` : ''}`,
        buttons: [
          { title: 'Status', verb: 'status', target: entry.targetKey! },
          { title: 'Complete', verb: 'completeAsk', target: entry.targetKey! },
        ],
      };
    });
    return card(
      renderCard('list', {
        title: 'Threads locked in migration mode',
        summary: rows.length === 0 ? 'No thread started by this bot is in migration mode.' : `${lockedEntries.length} thread(s) started by this bot are still locked.`,
        rows,
        footer: `${lockedEntries.length > MAX_ROWS ? `Showing the newest ${MAX_ROWS}. ` : ''}Verified live against Microsoft Graph just now.`,
      } satisfies ListView),
    );
  }

  /** `audit [target | user] [last N]`: ledger entries, newest first. */
  async audit(who: ActingContext, spec: TargetSpec | null, user: string | null, last: number, place: ConversationPlace, command: string): Promise<FlowReply> {
    const refusal = await this.deps.guard.refuseNonAdmin(who, 'audit', { command });
    if (refusal) return refusal;
    let entries: LedgerEntry[];
    let scope = 'all targets';
    if (spec) {
      const resolved = await this.deps.resolver.resolve(spec, place);
      if (!resolved.ok) return text(resolved.message);
      scope = resolved.value.displayName;
      entries = await this.deps.store.queryLedger({ targetKey: targetKey(resolved.value.ref), tenantId: who.tenantId ?? undefined, limit: last });
    } else if (user) {
      scope = `user ${user}`;
      const all = await this.deps.store.queryLedger({ tenantId: who.tenantId ?? undefined, limit: 5000 });
      const u = user.toLowerCase();
      entries = all.filter((e) => e.actor.aadObjectId?.toLowerCase() === u || (e.actor.name ?? '').toLowerCase().includes(u)).slice(0, last);
    } else {
      entries = await this.deps.store.queryLedger({ tenantId: who.tenantId ?? undefined, limit: last });
    }
    const rows = entries.map((e) => {
      const target = e.target ? targetDisplayName(e.target) : 'no target';
      const date = e.parameters.conversationCreationDateTime ? ` · date ${formatBoth(String(e.parameters.conversationCreationDateTime), who.timeZone)}` : '';
      const err = e.error ? ` · ${e.error.code ?? ''} ${e.error.message}`.slice(0, 200) : '';
      return {
        heading: `${e.action} · ${e.outcome} · ${target}`,
        detail: `${formatBoth(e.at, who.timeZone)} · ${e.actor.name ?? e.actor.aadObjectId ?? 'unknown'}${date}${e.requestId ? ` · request-id ${e.requestId}` : ''}${err}`,
        buttons: [],
      };
    });
    return card(
      renderCard('list', {
        title: `Audit ledger: ${scope}`,
        summary: rows.length === 0 ? 'No entries.' : `Newest ${rows.length} entr${rows.length === 1 ? 'y' : 'ies'}.`,
        rows,
        footer: 'Export everything as CSV with npm run audit:export -- --since <date>.',
      } satisfies ListView),
    );
  }
}
