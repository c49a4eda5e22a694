import assert from 'node:assert/strict';
import type { Storage } from 'botbuilder';
import { createConversationStateStorage } from '../../src/teams/conversation-state-storage';
import { startAzurite, type Azurite } from './azurite';

/** What a turn does with conversation state: read it, change it, write it back with the eTag it read. */
function conversationStateStory(name: string, storage: () => Storage): void {
  describe(`conversation state in ${name}`, () => {
    const key = 'msteams/conversations/19:myteam-general@thread.tacv2;messageid=1/';

    it('keeps a conversation’s state between turns and forgets it when deleted', async () => {
      const store = storage();
      await store.write({ [key]: { step: 'confirming', admin: 'Zoë Ünïcode 日本', draft: { since: '2020-01-01' } } });
      const read = await store.read([key]);
      assert.deepEqual({ ...read[key], eTag: undefined }, { step: 'confirming', admin: 'Zoë Ünïcode 日本', draft: { since: '2020-01-01' }, eTag: undefined });
      assert.equal(typeof read[key].eTag, 'string');

      await store.delete([key]);
      assert.deepEqual(await store.read([key]), {});
    });

    it('refuses a write based on a stale read, so two instances cannot overwrite each other', async () => {
      const store = storage();
      await store.write({ [key]: { step: 'one' } });
      const stale = (await store.read([key]))[key];
      await store.write({ [key]: { ...stale, step: 'two' } });
      await assert.rejects(store.write({ [key]: { ...stale, step: 'three' } }));
      assert.equal((await store.read([key]))[key].step, 'two');
    });
  });
}

describe('botbuilder conversation state storage', function () {
  this.timeout(30_000);
  let azurite: Azurite;
  let container = 0;

  before(async () => {
    azurite = await startAzurite('blob');
  });
  after(async () => {
    await azurite?.stop();
  });

  conversationStateStory('memory (one instance)', () => createConversationStateStorage({ kind: 'memory' }));
  conversationStateStory('Azure Blob Storage on Azurite (several instances)', () =>
    createConversationStateStorage({ kind: 'blob', connectionString: azurite.connectionString, container: `state-${++container}` }),
  );

  it('rejects a container name Azure would refuse when the bot starts, not on the first turn', () => {
    for (const container of ['State', 'st', 'state--x', '-state', 'state_1']) {
      assert.throws(() => createConversationStateStorage({ kind: 'blob', connectionString: azurite.connectionString, container }), /container name/);
    }
  });
});
