import assert from 'node:assert/strict';
import { startProblem, startProblemMessage } from '../../src/domain/start-problem';
import { completeTookEffect, startTookEffect } from '../../src/domain/took-effect';
import { formatErrorCode, mayBeOwnRetry, mayHaveTakenEffect, saysAlreadyDone, type GraphFailure } from '../../src/domain/graph-failure';
import { readCompletePayload, readSingleThreadPayload, readStartPayload } from '../../src/domain/pending-payloads';
import { threadKindLabel, type ThreadSnapshot } from '../../src/domain/targets';

const created = '2024-06-01T00:00:00.000Z';
const earlier = '2023-01-01T00:00:00.000Z';
const later = '2025-01-01T00:00:00.000Z';
const wait = { completedAt: '2026-01-05T10:00:00.000Z', retryAt: '2026-01-05T10:10:00.000Z' };
const failure = (over: Partial<GraphFailure>): GraphFailure => ({
  status: 400,
  code: 'BadRequest',
  message: 'Bad request',
  requestId: null,
  date: '2026-01-05T10:00:00Z',
  outcomeUnknown: false,
  ...over,
});
const snap = (over: Partial<ThreadSnapshot>): ThreadSnapshot => ({ createdDateTime: created, originalCreatedDateTime: null, migrationMode: null, ...over });

describe('the start pre-flight: an admin is told why a thread cannot be migrated, before anything is written', () => {
  it('lets a never-migrated thread start with an earlier date, with no date, or again after a completed migration', () => {
    assert.equal(startProblem({ thread: { migrationMode: null, createdDateTime: created }, since: earlier }), null);
    assert.equal(startProblem({ thread: { migrationMode: null, createdDateTime: created }, since: null }), null);
    assert.equal(startProblem({ thread: { migrationMode: 'completed', createdDateTime: created }, since: earlier, recentCompletion: null }), null);
  });

  it('refuses a meeting chat first, whatever else is wrong', () => {
    const problem = startProblem({ thread: { migrationMode: 'inProgress', createdDateTime: created }, chatType: 'meeting', since: later });
    assert.deepEqual(problem, { rule: 'meeting-chat' });
    assert.equal(startProblemMessage(problem, 'Standup', null, 0), '"Standup" is a meeting chat. Graph does not support migration mode for meeting chats.');
  });

  it('refuses a thread already in migration mode before looking at the date', () => {
    const problem = startProblem({ thread: { migrationMode: 'inProgress', createdDateTime: created }, since: later });
    assert.deepEqual(problem, { rule: 'already-in-migration', createdDateTime: created });
    assert.match(
      startProblemMessage(problem, 'General', null, 0),
      /^"General" is already in migration mode \(creation date 2024-06-01.*\)\. Complete that migration first/,
    );
  });

  it('refuses a date that is not earlier than the current creation date (the same date included)', () => {
    for (const since of [later, created]) {
      const problem = startProblem({ thread: { migrationMode: null, createdDateTime: created }, since });
      assert.deepEqual(problem, { rule: 'date-not-earlier', since, createdDateTime: created });
      assert.match(startProblemMessage(problem, 'General', null, 0), /is not earlier than "General"'s current creation date, .*Choose an earlier date/);
    }
  });

  it('makes a start wait after this bot completed the thread, naming the cool-down and the minutes left', () => {
    const problem = startProblem({ thread: { migrationMode: 'completed', createdDateTime: created }, since: earlier, recentCompletion: wait });
    assert.deepEqual(problem, { rule: 'recently-completed', wait });
    const message = startProblemMessage(problem, 'General', null, Date.parse('2026-01-05T10:04:30Z'));
    assert.match(
      message,
      /^"General" was completed by this bot 2026-01-05.*waits 10 minutes after a completion\. Try again after 2026-01-05.*\(in about 6 minutes\)\. Nothing was changed\.$/,
    );
  });

  it('checks the thread before the cool-down: a thread in migration is refused as such even when recently completed', () => {
    assert.equal(
      startProblem({ thread: { migrationMode: 'inProgress', createdDateTime: created }, since: null, recentCompletion: wait })?.rule,
      'already-in-migration',
    );
  });
});

describe('took effect: a lost answer is settled by what the thread shows', () => {
  it('counts a start as done only in migration mode with the requested date (any date when none was asked)', () => {
    assert.equal(startTookEffect(snap({ migrationMode: 'inProgress', createdDateTime: earlier }), earlier), true);
    assert.equal(
      startTookEffect(snap({ migrationMode: 'inProgress', createdDateTime: '2023-01-01T00:00:00Z' }), earlier),
      true,
      'the same moment written differently',
    );
    assert.equal(startTookEffect(snap({ migrationMode: 'inProgress' }), null), true);
    assert.equal(startTookEffect(snap({ migrationMode: 'inProgress', createdDateTime: created }), earlier), false, 'another date: someone else started it');
    assert.equal(startTookEffect(snap({ migrationMode: 'inProgress', createdDateTime: null }), earlier), false);
    assert.equal(startTookEffect(snap({ migrationMode: null, createdDateTime: earlier }), earlier), false);
    assert.equal(startTookEffect(snap({ migrationMode: 'completed', createdDateTime: earlier }), earlier), false);
  });

  it('counts a completion as done only when the thread reads completed', () => {
    assert.equal(completeTookEffect(snap({ migrationMode: 'completed' })), true);
    assert.equal(completeTookEffect(snap({ migrationMode: 'inProgress' })), false);
    assert.equal(completeTookEffect(snap({ migrationMode: null })), false);
  });
});

describe('our own retry: Graph\'s "already done" answer is not taken for someone else\'s migration', () => {
  it('reads "already in migration" as a possible own retry of a start, and "finalized" / "not in (a) migration" of a completion', () => {
    assert.equal(mayBeOwnRetry(failure({ message: 'Thread is Already in migration mode' }), 'start'), true);
    for (const message of ['Migration was finalized', 'migration finalised', 'Thread is not in migration', 'Thread is not in a migration']) {
      assert.equal(mayBeOwnRetry(failure({ message }), 'complete'), true, message);
    }
    assert.equal(mayBeOwnRetry(failure({ message: 'Thread is not in migration' }), 'start'), false);
    assert.equal(mayBeOwnRetry(failure({ message: 'already in migration' }), 'complete'), false);
  });

  it('only for a 400: the same words in a 403 or 409 are a refusal', () => {
    assert.equal(mayBeOwnRetry(failure({ status: 403, message: 'already in migration' }), 'start'), false);
    assert.equal(mayBeOwnRetry(failure({ status: 409, message: 'not in migration' }), 'complete'), false);
    assert.equal(saysAlreadyDone('not in a migration', 'complete'), true);
  });

  it('treats a write as possibly done when no answer came back or the answer may be to our retry', () => {
    assert.equal(mayHaveTakenEffect(failure({ status: 0, code: 'Timeout', outcomeUnknown: true }), 'start'), true);
    assert.equal(mayHaveTakenEffect(failure({ message: 'already in migration' }), 'start'), true);
    assert.equal(mayHaveTakenEffect(failure({ message: 'The date is invalid' }), 'start'), false);
  });
});

describe('error codes as an admin reads them on cards and bulk rows', () => {
  it('shows the HTTP status with the code, or the code alone when Graph never answered', () => {
    assert.equal(formatErrorCode({ status: 403, code: 'Forbidden' }), '403 Forbidden');
    assert.equal(formatErrorCode({ status: 0, code: 'Timeout' }), 'Timeout');
    assert.equal(formatErrorCode({ status: 0, code: 'MalformedId' }), 'MalformedId');
  });
});

describe('what a confirmation promised is read back checked, never cast', () => {
  const target = { kind: 'channel' as const, teamId: 't', channelId: 'c', displayName: 'General' };
  const before = { createdDateTime: created, originalCreatedDateTime: null, migrationMode: null };

  it('reads a start payload as the flow wrote it, and one stored before the snapshot was kept', () => {
    const stored = { target, targetName: 'General', targetKind: 'standard channel', conversationCreationDateTime: earlier, before };
    assert.deepEqual(readStartPayload(stored), stored);
    assert.deepEqual(readStartPayload({ target, targetName: 'General', targetKind: 'standard channel' }), {
      target,
      targetName: 'General',
      targetKind: 'standard channel',
      conversationCreationDateTime: null,
      before: null,
    });
  });

  it('reads a complete payload, and tags each by its pending kind', () => {
    const stored = { target: { kind: 'chat' as const, chatId: '19:x@thread.v2' }, targetName: 'Chat', targetKind: 'group chat' };
    assert.deepEqual(readCompletePayload(stored), stored);
    assert.deepEqual(readSingleThreadPayload('complete', stored), { kind: 'complete', payload: stored });
    assert.equal(readSingleThreadPayload('start', stored)?.kind, 'start');
    assert.equal(readSingleThreadPayload('bulk-start', stored), null);
  });

  it("words a record that lacks the card's name or kind with the target's own name", () => {
    assert.deepEqual(readCompletePayload({ target, targetName: 1 }), { target, targetName: 't › General', targetKind: 'thread' });
  });

  it('refuses anything that is not one of ours', () => {
    for (const raw of [
      null,
      'x',
      [],
      {},
      { target: { kind: 'channel', teamId: 't' }, targetName: 'n', targetKind: 'k' },
      { target, targetName: 'n', targetKind: 'k', conversationCreationDateTime: 5 },
    ]) {
      assert.equal(readStartPayload(raw), null, JSON.stringify(raw));
    }
    assert.equal(readCompletePayload({ target: { kind: 'team', id: 'x' }, targetName: 'n', targetKind: 'k' }), null);
  });
});

describe('what kind of thread an admin is told it is', () => {
  it('names channels by membership and chats by type', () => {
    assert.equal(threadKindLabel({ kind: 'channel', channel: { membershipType: 'private' } }), 'private channel');
    assert.equal(threadKindLabel({ kind: 'channel', channel: {} }), 'standard channel');
    assert.equal(threadKindLabel({ kind: 'chat', chat: { chatType: 'oneOnOne' } }), 'one-on-one chat');
    assert.equal(threadKindLabel({ kind: 'chat', chat: { chatType: 'meeting' } }), 'meeting chat');
    assert.equal(threadKindLabel({ kind: 'chat', chat: { chatType: 'group' } }), 'group chat');
  });
});
