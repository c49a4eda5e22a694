import assert from 'node:assert/strict';
import { plannedStream, SourceProblem } from '../../../src/domain/import/planned-stream';
import type { SourceMessage } from '../../../src/domain/import/source-model';

const m = (id: string, time: number, threadId: string | null = null, subtype: string | null = null): SourceMessage => ({
  id,
  time,
  userId: 'U1',
  authorName: null,
  threadId,
  subtype,
  text: 'hi',
  markup: 'slack-mrkdwn',
  files: [],
  reactions: [],
  edited: false,
});

async function plan(messages: SourceMessage[]) {
  const out = [];
  for await (const item of plannedStream(
    (async function* () {
      for (const x of messages) yield await Promise.resolve(x);
    })(),
  ))
    out.push(item);
  return out;
}

describe('the planned stream of a channel', () => {
  it('numbers every message, puts replies under their root and gives a reply whose root is missing a placeholder root', async () => {
    const items = await plan([m('1', 1), m('2', 2, '1'), m('4', 4, '3'), m('5', 5, '3')]);
    assert.deepEqual(
      items.map((i) => [i.seq, i.kind, i.message.id, i.parentSourceId]),
      [
        [0, 'root', '1', null],
        [1, 'reply', '2', '1'],
        [2, 'placeholder', 'placeholder:3', null],
        [3, 'reply', '4', 'placeholder:3'],
        [4, 'reply', '5', 'placeholder:3'],
      ],
    );
  });

  it('skips channel events with their reason, and a reply to a skipped event hangs on a placeholder', async () => {
    const items = await plan([m('1', 1, null, 'channel_join'), m('2', 2, '1')]);
    assert.equal(items[0].kind, 'skipped');
    assert.equal(items[0].kind === 'skipped' && items[0].reason, 'channel event (channel_join)');
    assert.equal(items[1].kind, 'placeholder');
  });

  it('refuses an export that repeats a message id in one channel, saying so', async () => {
    await assert.rejects(plan([m('1', 1), m('1', 2)]), (err: unknown) => err instanceof SourceProblem && /two messages with the id "1"/.test(err.message));
  });

  it('refuses a message whose time is not a date', async () => {
    await assert.rejects(plan([m('1', -1e16)]), (err: unknown) => err instanceof SourceProblem && /not a date/.test(err.message));
    await assert.rejects(plan([m('1', 1.5)]), SourceProblem);
  });
});
