import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AdaptiveCardJson } from '../../../src/cards/renderer';
import type { ImportJobRunner, RunHooks } from '../../../src/features/import/import-job-runner';
import { ImportRuns } from '../../../src/features/import-flow/import-runs';
import type { Messenger } from '../../../src/features/shared/conversation';
import { createLogger } from '../../../src/log/logger';
import type { ImportJob } from '../../../src/store/ports/import-jobs';
import { SqliteStore } from '../../../src/store/sqlite-store';
import { cardText } from '../../support/harness';
import { importJob, importTargets } from '../../store/fixtures';

/** A runner whose every run ends the way `end` says, after taking the lease when `leased`. */
function fakeRunner(end: (hooks: RunHooks) => Promise<never> | Promise<{ state: 'busy'; reason: string }>, leased = true) {
  return (() =>
    ({
      run: async (_job: ImportJob, hooks: RunHooks) => {
        if (leased) await hooks.onLeased?.();
        return end(hooks);
      },
      stop: () => undefined,
    }) as unknown as ImportJobRunner) as () => ImportJobRunner;
}

describe('import jobs run by the bot', () => {
  let dir: string;
  let store: SqliteStore;
  let cards: AdaptiveCardJson[];
  let targetReads: number;
  let job: ImportJob;
  const messenger = {
    showCard: async (_ref: unknown, card: AdaptiveCardJson) => {
      cards.push(card);
      return 'card-1';
    },
  } as unknown as Messenger;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tmb-import-runs-'));
    store = SqliteStore.open(dir);
    cards = [];
    targetReads = 0;
    const listImportTargets = store.listImportTargets.bind(store);
    store.listImportTargets = async (id: string) => {
      targetReads++;
      return listImportTargets(id);
    };
    job = importJob({ origin: 'teams', state: 'running', conversationReference: { conversation: { id: 'a:personal-alex' } }, progressActivityId: 'card-1' });
    await store.createImportJob(job, importTargets(job, 2));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const runsWith = (newRunner: () => ImportJobRunner) =>
    new ImportRuns({ store, logger: createLogger('silent'), messenger, newRunner, progressIntervalMs: 10, takeOverEveryMs: 60_000 });

  it('pauses a job whose runs keep stopping on an error, after three in a row, and says why on its card', async () => {
    const runs = runsWith(fakeRunner(async () => Promise.reject(new Error('Graph answered 403 Forbidden reading the users.'))));
    for (let pass = 1; pass <= 2; pass++) {
      await runs.takeOver();
      await runs.whenIdle();
      assert.equal((await store.getImportJob(job.id))?.state, 'running', `still running after ${pass} failed run(s)`);
    }
    await runs.takeOver();
    await runs.whenIdle();
    assert.equal((await store.getImportJob(job.id))?.state, 'paused');
    assert.match(
      cardText(cards.at(-1)),
      /Paused after 3 attempts that each stopped on an error: Graph answered 403 Forbidden reading the users\. Fix the cause and press Resume\./,
    );
    await runs.takeOver();
    await runs.whenIdle();
    assert.equal(cards.length, 1, 'a paused job is not taken over again');
  });

  it('reads nothing of a job another instance holds when it looks for jobs to take over', async () => {
    const runs = runsWith(fakeRunner(async () => ({ state: 'busy', reason: 'held elsewhere' }), false));
    for (let pass = 0; pass < 3; pass++) {
      await runs.takeOver();
      await runs.whenIdle();
    }
    assert.equal(targetReads, 0);
    assert.equal(cards.length, 0, 'and shows nothing on its card');
  });
});
