import assert from 'node:assert/strict';
import type { Emulator } from '../../emulator/index';
import type { Harness } from '../support/harness';
import { startHarness } from '../support/harness';
import { answerText, execute, fixtureActor, mark, message, personalChat, post, type Actor } from './support/attack';

const REFUSAL = /only serves its own organisation/;

describe('threat: an outsider grows the audit ledger by messaging the bot from another tenant', function () {
  let emulator: Emulator;
  let h: Harness;
  const olga = fixtureActor('olga');

  before(async () => {
    h = await startHarness();
    emulator = h.emulator;
  });
  after(async () => h?.stop());
  beforeEach(() => h.reset());

  async function refusedLines() {
    return h.bot.store.queryLedger({ action: 'refused', limit: 10_000 });
  }

  it('50 messages from a disallowed tenant add one ledger line, holding none of their text, and every one gets the polite refusal', async () => {
    const before = (await refusedLines()).length;
    const place = personalChat('olga');
    for (let i = 0; i < 50; i++) {
      const since = mark(emulator, place.conversationId);
      const res = await post(h.bot.url, message(emulator, olga, place, `SPAM-${i} ${'x'.repeat(500)}`));
      assert.equal(res.status, 200);
      assert.match(answerText(emulator, place.conversationId, res, since), REFUSAL, `message ${i + 1} was answered`);
    }
    const lines = await refusedLines();
    assert.equal(lines.length - before, 1, 'one line for the tenant this hour');
    assert.equal(lines[0].tenantId, emulator.info.foreignTenantId);
    assert.equal(lines[0].actor.name, olga.name);
    assert.doesNotMatch(JSON.stringify(lines), /SPAM|xxxxxxxxxx/, 'no line holds what the outsider typed');
    assert.deepEqual(emulator.requests({ service: 'graph' }), [], 'an outsider reaches no Graph call');
  });

  it('card presses (invokes) from the outsider are answered and add no further line in the hour', async () => {
    const before = (await refusedLines()).length;
    for (let i = 0; i < 10; i++) {
      const res = await post(h.bot.url, execute(emulator, olga, personalChat('olga'), '1', 'confirm', { opId: 'AAAAAAAAAAAAAAAAAAAAAA' }));
      assert.equal(res.status, 200);
      assert.match(String((res.body as { value?: string } | null)?.value), REFUSAL);
    }
    assert.equal((await refusedLines()).length, before);
  });

  it('hand-made identities (a huge name, made-up tenant ids) share one short line instead of one each', async () => {
    const before = (await refusedLines()).length;
    for (let i = 0; i < 20; i++) {
      const forged: Actor = {
        key: `forged-${i}`,
        name: 'N'.repeat(10_000),
        aadObjectId: `not-an-id-${'z'.repeat(300)}`,
        tenantId: `tenant-${i}-${'t'.repeat(300)}`,
      };
      const res = await post(h.bot.url, message(emulator, forged, personalChat(`forged-${i}`), 'hello'));
      assert.equal(res.status, 200);
    }
    const added = (await refusedLines()).slice(0, (await refusedLines()).length - before);
    assert.equal(added.length, 1, 'malformed tenant ids share one window');
    assert.equal(added[0].tenantId, null);
    assert.equal(added[0].actor.aadObjectId, null);
    assert.ok(JSON.stringify(added[0]).length < 1500, `the line is short (${JSON.stringify(added[0]).length} characters)`);
  });
});
