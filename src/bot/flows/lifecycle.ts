import { renderCard, ListView, OutcomeView } from '../../cards/renderer';
import { explainFailure } from '../../graph/explain-failure';
import { toGraphCallError } from '../../graph/graph-errors';
import type { MigrationApi } from '../../graph/migration-api';
import { snapshotOf } from '../../graph/thread-state';
import type { Channel, Chat, TeamsDirectory } from '../../graph/teams-directory';
import type { AuditEntry, Store, TargetRef } from '../../store/types';
import { targetKey } from '../../store/types';
import { daysBetween, formatBoth } from '../parse/dates';
import { isChannelId, isChatId, isGuid } from '../parse/ids';
import type { TargetSpec } from '../parse/command-parser';
import type { ConversationPlace, ResolvedTarget, TargetResolver } from '../target-resolver';
import { ActingContext, card, FlowReply, recordAudit, text } from './acting';
import type { OperationGuard } from './operation-guard';
import { errorFacts, kindLabel } from './start-migration';

export interface LifecycleDeps {
  guard: OperationGuard;
  resolver: TargetResolver;
  directory: TeamsDirectory;
  migration: MigrationApi;
  store: Store;
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

const modeLabel = (mode: string | null | undefined): string => (mode === 'inProgress' ? 'in migration (locked)' : mode === 'completed' ? 'migration completed' : 'never migrated');

/** The ledger's latest successful start for a target, if any. */
async function lastStart(store: Store, key: string): Promise<AuditEntry | null> {
  const entries = await store.queryAudit({ targetKey: key, limit: 50 });
  return entries.find((e) => (e.action === 'start' || e.action === 'bulk-start') && e.outcome === 'succeeded') ?? null;
}

/**
 * Status, complete, the board of locked threads and the audit view: everything after a migration
 * has started. Reads are live from Graph; who started what comes from the ledger.
 */
export class LifecycleFlows {
  constructor(private readonly deps: LifecycleDeps) {}

  private async resolveAsAdmin(who: ActingContext, spec: TargetSpec, place: ConversationPlace, attempted: string): Promise<ResolvedTarget | FlowReply> {
    const refusal = await this.deps.guard.refuseNonAdmin(who, attempted, {});
    if (refusal) return refusal;
    const resolved = await this.deps.resolver.resolve(spec, place);
    return resolved.ok ? resolved.value : text(resolved.message);
  }

  /** `status <target>`: live state plus who started it, when, with which date. */
  async status(who: ActingContext, spec: TargetSpec, place: ConversationPlace): Promise<FlowReply> {
    const target = await this.resolveAsAdmin(who, spec, place, 'status');
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
    return card(renderCard('outcome', { summary: '', nextSteps: [], errorFacts: [], actions: [], ...view }));
  }

  /** `status team <team>`: every channel of a team with its state. */
  async statusTeam(who: ActingContext, teamName: string): Promise<FlowReply> {
    const refusal = await this.deps.guard.refuseNonAdmin(who, 'status', {});
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
    const view: ListView = {
      title: `Channels of ${team.value.displayName}`,
      summary: `${channels.length} channels, ${locked} in migration mode.`,
      rows: channels.map((c) => ({
        heading: `${c.displayName} (${c.membershipType})`,
        detail: `${modeLabel(c.migrationMode)} · created ${formatBoth(c.createdDateTime, who.timeZone)}`,
        buttons: c.migrationMode === 'inProgress' ? [{ title: 'Complete', verb: 'completeAsk', target: targetKey({ kind: 'channel', teamId: team.value.id, channelId: c.id }) }] : [],
      })),
      footer: '',
    };
    return card(renderCard('list', view));
  }

  /** `complete <target>` and the Complete button: pre-flight, then a confirmation card. */
  async completeAsk(who: ActingContext, spec: TargetSpec, place: ConversationPlace): Promise<FlowReply> {
    const target = await this.resolveAsAdmin(who, spec, place, 'complete');
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
    return this.deps.guard.create(who, 'complete', payload, (opId, expiresAt) =>
      renderCard('confirm', {
        title: 'Complete migration?',
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
    const read = () =>
      payload.target.kind === 'channel'
        ? this.deps.directory.getChannel(payload.target.teamId, payload.target.channelId)
        : this.deps.directory.getChat(payload.target.chatId);
    let before = null;
    try {
      before = snapshotOf(await read());
    } catch {
      // The write below reports the real problem; `before` is only for the ledger.
    }
    const base = { action: 'complete' as const, target: payload.target, targetKey: targetKey(payload.target), parameters: {}, jobId: null, before };
    try {
      const { requestId } = await this.deps.migration.completeMigration(payload.target);
      let after = null;
      try {
        after = snapshotOf(await read());
      } catch {
        // Completed all the same; the card says the state was not read back.
      }
      await recordAudit(this.deps.store, who, { ...base, outcome: 'succeeded', error: null, requestId, after });
      return this.deps.guard.finish(claimed.id, {
        title: `Migration completed: ${payload.targetName}`,
        color: 'Good',
        summary: 'The thread is unlocked: the import banner is gone and members can post again.',
        facts: [
          { title: 'migrationMode', value: after?.migrationMode ?? 'completed (not read back)' },
          { title: 'createdDateTime', value: formatBoth(after?.createdDateTime ?? before?.createdDateTime, who.timeZone) },
          { title: 'Completed by', value: who.name ?? who.aadObjectId ?? 'unknown' },
          { title: 'request-id', value: requestId ?? 'none' },
        ],
      });
    } catch (err) {
      const failure = toGraphCallError(err).failure;
      await recordAudit(this.deps.store, who, { ...base, outcome: failure.outcomeUnknown ? 'unknown' : 'failed', error: { status: failure.status, code: failure.code, message: failure.message }, requestId: failure.requestId, after: null });
      return this.deps.guard.finish(claimed.id, {
        title: `Migration not completed: ${payload.targetName}`,
        color: 'Attention',
        summary: explainFailure(failure, 'complete'),
        errorFacts: errorFacts(failure),
      });
    }
  }

  /** `locked`: threads this bot started that are still in migration mode, verified live. */
  async locked(who: ActingContext): Promise<FlowReply> {
    const refusal = await this.deps.guard.refuseNonAdmin(who, 'locked', {});
    if (refusal) return refusal;
    const starts = [...(await this.deps.store.queryAudit({ action: 'start', tenantId: who.tenantId ?? undefined, limit: 1000 })), ...(await this.deps.store.queryAudit({ action: 'bulk-start', tenantId: who.tenantId ?? undefined, limit: 1000 }))]
      .filter((e) => e.outcome === 'succeeded' && e.target && e.targetKey)
      .sort((a, b) => b.at.localeCompare(a.at));
    const latest = new Map<string, AuditEntry>();
    for (const e of starts) if (!latest.has(e.targetKey!)) latest.set(e.targetKey!, e);
    const rows: ListView['rows'] = [];
    const now = new Date();
    for (const [key, entry] of latest) {
      const target = entry.target!;
      let mode: string | null = null;
      try {
        const thread = target.kind === 'channel' ? await this.deps.directory.getChannel(target.teamId, target.channelId) : await this.deps.directory.getChat(target.chatId);
        mode = thread.migrationMode;
      } catch (err) {
        const failure = toGraphCallError(err).failure;
        if (failure.status === 404) continue;
        mode = `unknown (${failure.code})`;
      }
      if (mode !== 'inProgress' && !String(mode).startsWith('unknown')) continue;
      const name = target.kind === 'channel' ? `${target.teamName ?? target.teamId} › ${target.displayName ?? target.channelId}` : target.displayName ?? target.chatId;
      rows.push({
        heading: name,
        detail: `locked ${daysBetween(entry.at, now)} days · started by ${entry.actor.name ?? entry.actor.aadObjectId ?? 'unknown'} on ${formatBoth(entry.at, who.timeZone)}${String(mode).startsWith('unknown') ? ` · state ${mode}` : ''}`,
        buttons: [
          { title: 'Status', verb: 'status', target: key },
          { title: 'Complete', verb: 'completeAsk', target: key },
        ],
      });
    }
    return card(
      renderCard('list', {
        title: 'Threads locked in migration mode',
        summary: rows.length === 0 ? 'No thread started by this bot is in migration mode.' : `${rows.length} thread(s) started by this bot are still locked.`,
        rows,
        footer: 'Verified live against Microsoft Graph just now.',
      } satisfies ListView),
    );
  }

  /** `audit [target | user] [last N]`: ledger entries, newest first. */
  async audit(who: ActingContext, spec: TargetSpec | null, user: string | null, last: number, place: ConversationPlace): Promise<FlowReply> {
    const refusal = await this.deps.guard.refuseNonAdmin(who, 'audit', {});
    if (refusal) return refusal;
    let entries: AuditEntry[];
    let scope = 'all targets';
    if (spec) {
      const resolved = await this.deps.resolver.resolve(spec, place);
      if (!resolved.ok) return text(resolved.message);
      scope = resolved.value.displayName;
      entries = await this.deps.store.queryAudit({ targetKey: targetKey(resolved.value.ref), tenantId: who.tenantId ?? undefined, limit: last });
    } else if (user) {
      scope = `user ${user}`;
      const all = await this.deps.store.queryAudit({ tenantId: who.tenantId ?? undefined, limit: 5000 });
      const u = user.toLowerCase();
      entries = all.filter((e) => e.actor.aadObjectId?.toLowerCase() === u || (e.actor.name ?? '').toLowerCase().includes(u)).slice(0, last);
    } else {
      entries = await this.deps.store.queryAudit({ tenantId: who.tenantId ?? undefined, limit: last });
    }
    const rows = entries.map((e) => {
      const target = e.target ? (e.target.kind === 'channel' ? `${e.target.teamName ?? e.target.teamId} › ${e.target.displayName ?? e.target.channelId}` : e.target.displayName ?? e.target.chatId) : 'no target';
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
