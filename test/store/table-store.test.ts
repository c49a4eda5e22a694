import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TableServiceClient } from '@azure/data-tables';
import { createStore } from '../../src/store/create-store';
import { connectionStringUsesHttp, TableStore } from '../../src/store/table-store';
import type { Store } from '../../src/store/ports/store';
import { startAzurite, type Azurite } from './azurite';
import { pendingOperation } from './fixtures';
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

    it('creates its six tables under the configured prefix when the bot starts', async () => {
      const tablePrefix = freshPrefix();
      opened.push(await createStore({ kind: 'table', connectionString: azurite.connectionString, tablePrefix }));
      // A second instance starting against the same account finds the tables and carries on.
      opened.push(await createStore({ kind: 'table', connectionString: azurite.connectionString, tablePrefix }));

      const service = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true });
      const names: string[] = [];
      for await (const table of service.listTables()) if (table.name?.startsWith(tablePrefix)) names.push(table.name.slice(tablePrefix.length));
      assert.deepEqual(names.sort(), ['Audit', 'BulkItems', 'BulkJobs', 'ConversationRefs', 'Pending', 'Reminders']);
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
