import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TableServiceClient, type TableClient, type TransactionAction } from '@azure/data-tables';
import { createStore } from '../../src/store/create-store';
import { connectionStringUsesHttp, TableStore } from '../../src/store/table-store';
import type { Store } from '../../src/store/ports/store';
import { startAzurite, type Azurite } from './azurite';
import { ZERO_COUNTS } from '../../src/store/ports/import-jobs';
import { importJob, importMessage, importTargets, pendingOperation } from './fixtures';
import { runStoreContract } from './store-contract';

const freshPrefix = () => `t${randomBytes(6).toString('hex')}`;

describe('the shared ledger on Azure Table Storage, for several bot instances', function () {
  this.timeout(30_000);
  let azurite: Azurite;

  before(async () => {
    azurite = await startAzurite('table');
  });
  after(async () => {
    await azurite?.stop();
  });

  runStoreContract('Azure Table Storage (Azurite)', async () => {
    const tablePrefix = freshPrefix();
    const open = () => TableStore.open({ connectionString: azurite.connectionString, tablePrefix });
    return { store: await open(), reopen: open };
  });

  describe('deployment', () => {
    const opened: Store[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('creates its eight tables under the configured prefix when the bot starts', async () => {
      const tablePrefix = freshPrefix();
      opened.push(await createStore({ kind: 'table', connectionString: azurite.connectionString, tablePrefix }));
      // A second instance starting against the same account finds the tables and carries on.
      opened.push(await createStore({ kind: 'table', connectionString: azurite.connectionString, tablePrefix }));

      const service = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true });
      const names: string[] = [];
      for await (const table of service.listTables()) if (table.name?.startsWith(tablePrefix)) names.push(table.name.slice(tablePrefix.length));
      assert.deepEqual(names.sort(), ['Audit', 'BulkItems', 'BulkJobs', 'ConversationRefs', 'ImportJobs', 'ImportMessages', 'Pending', 'Reminders']);
    });

    it('refuses a table prefix Azure would reject, before contacting the service', async () => {
      await assert.rejects(createStore({ kind: 'table', connectionString: azurite.connectionString, tablePrefix: '1bad-prefix' }), /table prefix/);
    });

    it('allows plain http only when the connection string itself names an http endpoint', () => {
      assert.equal(connectionStringUsesHttp(azurite.connectionString), true);
      assert.equal(connectionStringUsesHttp('DefaultEndpointsProtocol=http;AccountName=a;AccountKey=a2V5;'), true);
      assert.equal(connectionStringUsesHttp('DefaultEndpointsProtocol=https;AccountName=a;AccountKey=a2V5;EndpointSuffix=core.windows.net'), false);
      assert.equal(connectionStringUsesHttp('TableEndpoint=https://a.table.core.windows.net/;SharedAccessSignature=sv=x'), false);
    });

    it("keeps each import target's entity, message rows and source index in one partition, keyed so rows sort by seq", async () => {
      const tablePrefix = freshPrefix();
      const store = await TableStore.open({ connectionString: azurite.connectionString, tablePrefix });
      opened.push(store);
      const job = importJob({ id: 'job/1' });
      const [target] = importTargets(job, 1);
      await store.createImportJob(job, [target]);
      for (const seq of [0, 9, 10]) await store.insertImportMessage(importMessage(target, seq, { sourceId: `ts/${seq}` }));

      const keys: Array<[string, string]> = [];
      const client = (store as unknown as { clients: Record<string, TableClient> }).clients.imports;
      for await (const e of client.listEntities()) keys.push([e.partitionKey!, e.rowKey!]);
      const partition = `job!2F1|${target.targetKey}`;
      assert.deepEqual(keys, [
        [partition, 'msg|0000000000'],
        [partition, 'msg|0000000009'],
        [partition, 'msg|0000000010'],
        [partition, 'src|ts!2F0'],
        [partition, 'src|ts!2F10'],
        [partition, 'src|ts!2F9'],
        [partition, 'target'],
      ]);
    });

    it('applies and counts a message write once when the service committed it but its answer was lost', async () => {
      const tablePrefix = freshPrefix();
      const store = await TableStore.open({ connectionString: azurite.connectionString, tablePrefix });
      opened.push(store);
      const job = importJob();
      const [target] = importTargets(job, 1);
      await store.createImportJob(job, [target]);

      // The transaction lands, the answer is lost, and the client sends the same request again:
      // the repeat fails (409 for the insert, 412 for the settle) although the write is in.
      const client = (store as unknown as { clients: Record<string, TableClient> }).clients.imports;
      const submit = client.submitTransaction.bind(client);
      let repeats = 0;
      client.submitTransaction = async (actions: TransactionAction[]) => {
        await submit(actions);
        repeats++;
        return submit(actions);
      };
      assert.equal(await store.insertImportMessage(importMessage(target, 0), { messages: 1 }), true, 'its own insert, not "already recorded"');
      await store.settleImportMessage(job.id, target.targetKey, 0, { state: 'imported', graphId: '1740000000000' }, { reactions: 3 });
      assert.equal(repeats, 2);
      client.submitTransaction = submit;

      assert.deepEqual((await store.listImportTargets(job.id))[0].counts, { ...ZERO_COUNTS, messages: 1, reactions: 3 });
      assert.equal((await store.lastImportMessage(job.id, target.targetKey))?.graphId, '1740000000000');
      assert.equal(await store.insertImportMessage(importMessage(target, 0), { messages: 1 }), false, 'a real second insert still loses');
    });

    it('lets exactly one of two bot instances run a Confirm pressed on both at once', async () => {
      const tablePrefix = freshPrefix();
      const first = await TableStore.open({ connectionString: azurite.connectionString, tablePrefix });
      const second = await TableStore.open({ connectionString: azurite.connectionString, tablePrefix });
      opened.push(first, second);
      const op = pendingOperation();
      await first.createPending(op);
      const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? first : second).claimPending(op.id)));
      assert.equal(claims.filter(Boolean).length, 1);
      assert.equal((await second.getPending(op.id))?.state, 'running');
    });
  });
});
