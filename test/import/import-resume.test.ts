import assert from 'node:assert/strict';
import * as path from 'node:path';
import { writeSlackBulkExport, type SlackBulkSummary } from '../support/exports/slack-export';
import { startOperator, type Operator } from './support';

const GENERAL = '19:myteam-general@thread.tacv2';
const ANNOUNCEMENTS = '19:myteam-announcements@thread.tacv2';

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('an import killed with kill -9 resumes where it stopped', function () {
  this.timeout(180000);
  let op: Operator;
  let exportFile: string;
  let summary: SlackBulkSummary;
  const args = () => ['run', exportFile, '--team', 'My Team', '--map', 'bench-01=General', '--map', 'bench-02=Announcements'];
  const fast = { IMPORT_THREAD_RPS: '200', BULK_TENANT_RPS: '400' };

  before(async () => {
    op = await startOperator();
    op.emulator.setLimits({ importPerThread: 200, perAppPerTenant: 400 });
    op.emulator.grantRoles(op.env.GRAPH_CLIENT_ID, ['ChannelMessage.Read.All']);
    exportFile = path.join(op.work, 'bulk.zip');
    summary = await writeSlackBulkExport(exportFile, { messages: 600, channels: 2, seed: 7 });
  });
  after(async () => op.stop());

  it('sends every message exactly once across two kills: no duplicate, no gap, replies under the right parents', async () => {
    for (const share of [0.25, 0.6]) {
      const target = Math.floor((summary.roots + summary.replies) * share);
      const run = op.launches(args(), fast);
      await until(() => op.emulator.messages(GENERAL).length + op.emulator.messages(ANNOUNCEMENTS).length >= target, 120000);
      run.child.kill('SIGKILL');
      const ended = await run.done;
      assert.equal(ended.signal, 'SIGKILL');
    }
    const last = await op.runs(args(), fast);
    assert.equal(last.code, 0, last.stderr + last.stdout);
    assert.match(last.stdout, /Resuming import job/);

    const imported = [...op.emulator.messages(GENERAL), ...op.emulator.messages(ANNOUNCEMENTS)];
    assert.equal(imported.length, summary.roots + summary.replies + placeholdersIn(imported), 'no gap and no duplicate');
    for (const thread of [GENERAL, ANNOUNCEMENTS]) {
      const messages = op.emulator.messages(thread);
      const times = messages.map((m) => m.createdDateTime);
      assert.equal(new Set(times).size, times.length, 'one message per millisecond');
      const bodies = messages.map((m) => m.body.content);
      assert.equal(new Set(bodies).size, bodies.length, 'no message twice');
      for (const reply of messages.filter((m) => m.replyToId))
        assert.equal(
          messages.some((m) => m.id === reply.replyToId),
          true,
        );
    }
  });
});

function placeholdersIn(messages: { body: { content: string } }[]): number {
  return messages.filter((m) => m.body.content.includes('This message was deleted.')).length;
}
