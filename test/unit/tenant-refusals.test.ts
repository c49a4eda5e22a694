import assert from 'node:assert/strict';
import { MAX_TRACKED_TENANTS, REFUSAL_WINDOW_MS, TenantRefusals } from '../../src/teams/tenant-refusals';
import { createLogger } from '../../src/log/logger';
import type { LedgerEntry } from '../../src/store/ports/ledger';
import type { Store } from '../../src/store/ports/store';

const OUTSIDER = '11111111-0000-0000-0000-0000000000aa';

function setup() {
  const lines: LedgerEntry[] = [];
  let now = Date.parse('2025-01-01T10:00:00Z');
  const store = { appendLedger: async (e: LedgerEntry) => void lines.push(e) } as unknown as Store;
  const refusals = new TenantRefusals(store, createLogger('silent'), () => now);
  const who = (tenantId: string | null) => ({ aadObjectId: null, name: 'Olga', tenantId, conversationId: 'a:1' });
  return { lines, refusals, who, advance: (ms: number) => (now += ms) };
}

describe('refusals of other tenants are collapsed in the ledger', () => {
  it("writes one line per tenant and hour; the next hour's line carries the count of the one before", async () => {
    const { lines, refusals, who, advance } = setup();
    for (let i = 0; i < 10; i++) await refusals.record(who(OUTSIDER), 'message');
    assert.equal(lines.length, 1);
    assert.equal(refusals.countFor(OUTSIDER), 10);
    advance(REFUSAL_WINDOW_MS - 1);
    await refusals.record(who(OUTSIDER), 'message');
    assert.equal(lines.length, 1, 'still inside the hour');
    advance(1);
    await refusals.record(who(OUTSIDER), 'invoke');
    assert.equal(lines.length, 2);
    assert.equal(lines[1].parameters.previousWindowCount, 11);
    assert.equal(lines[0].parameters.previousWindowCount, 0);
  });

  it('keeps the ledger bounded however many tenants write: beyond the tracked ones they share one line', async () => {
    const { lines, refusals, who } = setup();
    const tenant = (i: number) => `22222222-0000-0000-0000-${String(i).padStart(12, '0')}`;
    for (let i = 0; i < MAX_TRACKED_TENANTS + 500; i++) await refusals.record(who(tenant(i)), 'message');
    assert.equal(lines.length, MAX_TRACKED_TENANTS + 1);
    assert.equal(lines.at(-1)!.tenantId, null);
  });
});
