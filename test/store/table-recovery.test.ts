import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { TeamsDirectory } from '../../src/graph/teams-directory';
import { createLogger } from '../../src/log/logger';
import { InterruptedConfirmations } from '../../src/features/background/interrupted-confirmations';
import type { Messenger } from '../../src/features/shared/conversation';
import { TableStore } from '../../src/store/table-store';
import { targetKey } from '../../src/domain/targets';
import { startAzurite, type Azurite } from './azurite';
import { general, pendingOperation } from './fixtures';

/** The claim is stale for the pass (the recovery waits this long before touching a confirmation). */
const STALE_AFTER_MS = 1000;

type Tables = Record<'audit' | 'pending', TableClient>;

/** Makes the `nth` call (1-based) of one Table Storage operation fail as the service would, once. */
function failCall(client: TableClient, method: 'createEntity' | 'updateEntity', nth: number): void {
  const original = client[method].bind(client) as (...args: unknown[]) => Promise<unknown>;
  let calls = 0;
  (client as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
    calls++;
    if (calls === nth) return Promise.reject(Object.assign(new Error('Server Busy'), { statusCode: 503 }));
    return original(...args);
  };
}

/**
 * On Table Storage the pending operation and the audit ledger are two tables with no shared
 * transaction. The recovery pass for a confirmation interrupted by a stopped bot writes both; a
 * storage error or a crash between the two must not lose the ledger line.
 */
describe('recovery on Table Storage: the ledger line of an interrupted confirmation is never lost', function () {
  this.timeout(30_000);
  let azurite: Azurite;
  let store: TableStore;
  let tables: Tables;
  const logger = createLogger('silent');
  // The thread as Graph shows it after the interrupted Confirm: migration mode on, with the asked date.
  const directory = {
    getThread: async () => ({ id: 'x', displayName: 'General', migrationMode: 'inProgress', createdDateTime: '2020-01-01T00:00:00Z' }),
  } as unknown as TeamsDirectory;
  const recovery = () => new InterruptedConfirmations({ store, directory, messenger: {} as Messenger, logger, staleAfterMs: STALE_AFTER_MS });
  const later = () => new Date(Date.now() + 60_000);
  const ledger = () => store.queryLedger({ targetKey: targetKey(general) });

  before(async () => {
    azurite = await startAzurite('table');
  });
  after(async () => azurite?.stop());
  beforeEach(async () => {
    store = await TableStore.open({ connectionString: azurite.connectionString, tablePrefix: `r${randomBytes(6).toString('hex')}` });
    tables = (store as unknown as { clients: Tables }).clients;
  });
  afterEach(async () => store.close());

  /** Alex's Confirm was pressed (claimed) and the bot stopped before recording anything. */
  async function interrupted(): Promise<string> {
    const op = pendingOperation({ expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    await store.createPending(op);
    assert.equal(await store.claimPending(op.id), true);
    return op.id;
  }

  it('when the ledger append fails: the operation stays to be settled and the next pass writes its one line', async () => {
    const opId = await interrupted();
    failCall(tables.audit, 'createEntity', 1);
    await recovery()
      .settle(later())
      .catch(() => 0);
    assert.deepEqual(
      (await store.listInterruptedPending(later().toISOString())).map((op) => op.id),
      [opId],
      'not finished without its ledger line',
    );
    assert.deepEqual(await ledger(), []);

    assert.equal(await recovery().settle(later()), 1);
    const [line, ...more] = await ledger();
    assert.equal(more.length, 0, 'exactly one ledger line');
    assert.equal(line.outcome, 'succeeded');
    assert.deepEqual(line.parameters, { conversationCreationDateTime: '2020-01-01T00:00:00.000Z', interrupted: true });
    const op = await store.getPending(opId);
    assert.equal(op?.state, 'done');
    assert.match(JSON.stringify(op?.result), /Migration started: General/);
    assert.equal(await recovery().settle(later()), 0, 'settled once');
  });

  it('when the bot stops after the line was written but before the operation is done: the next pass finishes it with that same one line', async () => {
    const opId = await interrupted();
    // Pending writes during the pass: the settlement marker, then done. The second one fails.
    failCall(tables.pending, 'updateEntity', 2);
    assert.equal(await recovery().settle(later()), 0);
    assert.equal((await ledger()).length, 1, 'the line is written first');
    assert.equal((await store.getPending(opId))?.state, 'running');

    assert.equal(await recovery().settle(later()), 1);
    assert.equal((await ledger()).length, 1, 'not written twice');
    assert.equal((await store.getPending(opId))?.state, 'done');
    assert.equal(Object.hasOwn((await store.getPending(opId))!, 'settling'), false, 'the marker stays inside the store');
  });
});
