import { renderCard, type ListView } from '../../cards/renderer';
import { formatBoth } from '../../domain/parse/dates';
import type { TargetSpec } from '../../domain/parse/command-parser';
import { targetDisplayName, targetKey } from '../../domain/targets';
import type { LedgerEntry } from '../../store/ports/ledger';
import type { Store } from '../../store/ports/store';
import { importSummary } from '../shared/import-summary';
import { card, text, type ActingContext, type FlowReply } from '../shared/acting';
import type { OperationGuard } from '../shared/operation-guard';
import type { ConversationPlace, TargetResolver } from '../shared/target-resolver';

/** What the audit view needs: the guard, the resolver and the ledger. */
export interface AuditDeps {
  guard: OperationGuard;
  resolver: TargetResolver;
  store: Store;
}

/** `audit [target | user] [last N]`: the ledger, read-only, newest first, scoped to the admin's tenant. */
export class AuditFlow {
  constructor(private readonly deps: AuditDeps) {}

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
      const since = e.parameters.conversationCreationDateTime;
      const date = typeof since === 'string' && since ? ` · date ${formatBoth(since, who.timeZone)}` : '';
      const err = e.error ? ` · ${e.error.code ?? ''} ${e.error.message}`.slice(0, 200) : '';
      const counts = e.action === 'import' ? ` · ${importSummary(e)}` : '';
      return {
        heading: `${e.action} · ${e.outcome} · ${target}`,
        detail: `${formatBoth(e.at, who.timeZone)} · ${e.actor.name ?? e.actor.aadObjectId ?? 'unknown'}${date}${counts}${e.requestId ? ` · request-id ${e.requestId}` : ''}${err}`,
        buttons: [],
      };
    });
    return card(
      renderCard('list', {
        title: `Audit ledger: ${scope}`,
        summary: rows.length === 0 ? 'No entries.' : `Newest ${rows.length} entr${rows.length === 1 ? 'y' : 'ies'}.`,
        rows,
        footer: 'Type audit export [since <date>] in your personal chat with me to get the whole ledger as a CSV file.',
      } satisfies ListView),
    );
  }
}
