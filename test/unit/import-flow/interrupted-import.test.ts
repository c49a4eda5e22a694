import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { InterruptedConfirmations } from '../../../src/features/background/interrupted-confirmations';
import type { TeamsDirectory } from '../../../src/graph/teams-directory';
import { createLogger } from '../../../src/log/logger';
import { SqliteStore } from '../../../src/store/sqlite-store';
import { exportLocation } from '../../../src/store/ports/export-files';
import type { PendingOperation } from '../../../src/store/ports/pending-operations';
import { alex, importJob, importTargets, TENANT_A } from '../../store/fixtures';

const EXPORT_ID = '0123456789abcdef0123456789abcdef';
const TEAM = '00000000-0000-0000-0000-000000000031';

describe('an import confirmation the bot stopped in the middle of', () => {
  let dir: string;
  let clock: Date;
  let store: SqliteStore;
  let told: unknown[];
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tmb-interrupted-import-'));
    clock = new Date('2026-12-01T10:00:00Z');
    store = SqliteStore.open(dir, { now: () => clock });
    told = [];
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const settler = () =>
    new InterruptedConfirmations({
      store,
      directory: {} as TeamsDirectory,
      messenger: { sendCardToPersonalChat: async (_ref, card) => void told.push(card), showCard: async () => null },
      logger: createLogger('silent'),
      staleAfterMs: 60_000,
    });

  async function confirmedAt(at: string): Promise<PendingOperation> {
    const op: PendingOperation = {
      id: 'op_import_0000000001',
      kind: 'import',
      tenantId: TENANT_A,
      requestedBy: { aadObjectId: alex.aadObjectId, name: alex.name },
      conversationId: 'a:personal-alex',
      payload: { exportId: EXPORT_ID, fileName: 'acme.zip', bytes: 10, teamId: TEAM, teamAsked: null, teamName: 'My Team', sources: [], shown: [], maps: {} },
      createdAt: at,
      expiresAt: '2026-12-01T12:00:00Z',
      state: 'pending',
      result: null,
      activityId: null,
      claimedAt: null,
    };
    clock = new Date(at);
    await store.createPending(op);
    await store.claimPending(op.id);
    return op;
  }

  it('is left alone while Confirm may still be reading the export (30 minutes)', async () => {
    const op = await confirmedAt('2026-12-01T10:00:00Z');
    clock = new Date('2026-12-01T10:20:00Z');
    assert.equal(await settler().settle(clock), 0);
    assert.equal((await store.getPending(op.id))?.state, 'running');
  });

  it('is finished as done when its job was saved (the take-over runs the job), and nobody is told anything', async () => {
    const op = await confirmedAt('2026-12-01T10:00:00Z');
    const job = importJob({
      tenantId: TENANT_A,
      teamId: TEAM,
      createdAt: '2026-12-01T10:01:00Z',
      updatedAt: '2026-12-01T10:01:00Z',
      source: { kind: 'slack', fileName: 'acme.zip', location: exportLocation(EXPORT_ID), sha256: 'a'.repeat(64), bytes: 10 },
    });
    await store.createImportJob(job, importTargets(job, 1));
    clock = new Date('2026-12-01T10:45:00Z');
    assert.equal(await settler().settle(clock), 1);
    const finished = await store.getPending(op.id);
    assert.equal(finished?.state, 'done');
    assert.deepEqual(finished?.result, { jobId: job.id });
    assert.equal(told.length, 0);
  });

  it('is finished as not started when no job was saved', async () => {
    const op = await confirmedAt('2026-12-01T10:00:00Z');
    clock = new Date('2026-12-01T10:45:00Z');
    assert.equal(await settler().settle(clock), 1);
    assert.equal((await store.getPending(op.id))?.state, 'cancelled');
    assert.match(JSON.stringify((await store.getPending(op.id))?.result), /Nothing was started: acme\.zip/);
  });
});
