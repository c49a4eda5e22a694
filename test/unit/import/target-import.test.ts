import assert from 'node:assert/strict';
import type { ImportChatMessage } from '../../../src/domain/import/teams-message';
import type { SourceMessage } from '../../../src/domain/import/source-model';
import { Pacer } from '../../../src/features/shared/pacer';
import { TargetImport, type TargetImportDeps } from '../../../src/features/import/target-import';
import { GraphCallError } from '../../../src/graph/graph-errors';
import type { ImportedMessage } from '../../../src/graph/message-import-api';
import type { ImportJob, ImportMessageRecord, ImportTarget } from '../../../src/store/ports/import-jobs';

const T0 = Date.parse('2021-01-01T00:00:00Z');
const ALICE = { id: 'u-alice', displayName: 'Alice' };
const failure = (status: number, code: string, outcomeUnknown = false) =>
  new GraphCallError({ status, code, message: code, requestId: null, date: '', outcomeUnknown });

/**
 * A thread in migration mode that already holds `newer` messages (the channel's own posts, a later
 * import) and loses the answer to the first import call: the read-back must page past the newer ones.
 */
function world(newer: number, messages: SourceMessage[]) {
  const thread: (ImportedMessage & { ours?: boolean })[] = [];
  for (let i = 0; i < newer; i++)
    thread.push({ id: `n${i}`, createdDateTime: new Date(Date.parse('2025-01-01T00:00:00Z') + i).toISOString(), from: { user: { id: 'someone' } } });
  let loseNextAnswer = true;
  const newestFirst = () => [...thread].sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime));
  const api = {
    importMessage(_ref: unknown, m: ImportChatMessage) {
      if (thread.some((x) => x.createdDateTime === m.createdDateTime)) return Promise.reject(failure(409, 'Conflict'));
      const id = String(thread.length);
      thread.push({ id, createdDateTime: m.createdDateTime, from: { user: { id: m.from.user.id } }, body: m.body, ours: true });
      if (loseNextAnswer) {
        loseNextAnswer = false;
        return Promise.reject(failure(0, 'Timeout', true));
      }
      return Promise.resolve({ id, requestId: 'r' });
    },
    importReply() {
      return Promise.reject(failure(404, 'NotFound'));
    },
    scanMessages(_ref: unknown, _parent: string | null, visit: (page: ImportedMessage[]) => boolean, maxPages: number) {
      const all = newestFirst();
      for (let p = 0; p < maxPages && p * 50 < all.length; p++) if (visit(all.slice(p * 50, p * 50 + 50))) return Promise.resolve(true);
      return Promise.resolve(false);
    },
  };
  const rows = new Map<number, ImportMessageRecord>();
  const target: ImportTarget = {
    jobId: 'j',
    targetKey: 'k',
    seq: 0,
    sourceChannelId: 'c',
    sourceChannelName: 'general',
    target: { kind: 'channel', teamId: 't', channelId: 'c' },
    state: 'importing',
    planned: messages.length,
    conversationCreationDateTime: '2020-01-01T00:00:00.000Z',
    startedByJob: true,
    counts: { messages: 0, replies: 0, reactions: 0, skipped: 0, fallbackAuthored: 0, failed: 0 },
    detail: null,
    errorCode: null,
    requestId: null,
    updatedAt: '',
  };
  const store = {
    lastImportMessage: () => Promise.resolve([...rows.values()].sort((a, b) => b.seq - a.seq)[0] ?? null),
    insertImportMessage: (r: ImportMessageRecord) => Promise.resolve(rows.has(r.seq) ? false : (rows.set(r.seq, { ...r }), true)),
    settleImportMessage: (_j: string, _t: string, seq: number, patch: Partial<ImportMessageRecord>) =>
      Promise.resolve(void Object.assign(rows.get(seq)!, patch)),
    findImportMessage: (_j: string, _t: string, sourceId: string) => Promise.resolve([...rows.values()].find((r) => r.sourceId === sourceId) ?? null),
    listImportMessages: () => Promise.resolve([]),
    listImportTargets: () => Promise.resolve([target]),
    updateImportTarget: () => Promise.resolve(),
    appendLedger: () => Promise.resolve(),
    queryLedger: () => Promise.resolve([]),
  };
  const context = {
    users: new Map([['U1', { user: null, teams: ALICE, status: 'matched' }]]),
    render: (m: SourceMessage) => ({ html: m.text, mentions: [] }),
    teamsUser: () => null,
    emoji: () => null,
  };
  const reader = {
    async *messages() {
      for (const m of messages) yield await Promise.resolve(m);
    },
  };
  const job = {
    id: 'j',
    options: { fallbackUser: null, uploadFiles: false, completeWhenDone: false, channelMap: {} },
    source: { kind: 'slack', fileName: 'x' },
    requestedBy: { aadObjectId: null, name: 'x' },
    tenantId: 't',
    conversationId: null,
  } as unknown as ImportJob;
  const logger = { warn: () => undefined, info: () => undefined, error: () => undefined };
  const deps = {
    store,
    api,
    migration: {},
    directory: {},
    pacer: new Pacer(),
    logger,
    reader,
    context,
    importBudgets: [],
    restartCooldownMinutes: 10,
    writeBudgets: [],
    stopped: () => false,
    onProgress: () => undefined,
  };
  return { run: () => new TargetImport(deps as unknown as TargetImportDeps, job, target).run(), thread, rows };
}

const message = (id: string, offsetMs: number, text: string): SourceMessage => ({
  id,
  time: T0 + offsetMs,
  userId: 'U1',
  authorName: null,
  threadId: null,
  subtype: null,
  text,
  markup: 'slack-mrkdwn',
  files: [],
  reactions: [],
  edited: false,
});

describe('one channel import when an answer is lost', () => {
  it('finds the message that landed by paging past 250 newer messages, records its id and never sends it twice', async () => {
    const w = world(250, [message('1', 5, 'hello'), message('2', 9, 'world')]);
    await w.run();
    const ours = w.thread.filter((m) => m.ours);
    assert.deepEqual(
      ours.map((m) => m.body?.content),
      ['hello', 'world'],
    );
    assert.equal(w.rows.get(0)!.state, 'imported');
    assert.equal(w.rows.get(0)!.graphId, ours[0].id);
  });

  it('fails only the reply whose parent Teams no longer has (404), and carries on with the channel', async () => {
    const reply = { ...message('2', 7, 'a reply'), threadId: '1' };
    const w = world(0, [message('1', 5, 'root'), reply, message('3', 9, 'after')]);
    await w.run();
    assert.equal(w.rows.get(1)!.state, 'failed');
    assert.equal(w.rows.get(2)!.state, 'imported');
    assert.ok(w.thread.some((m) => m.body?.content === 'after'));
  });
});
