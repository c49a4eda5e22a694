import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { Emulator } from '../../emulator/index';
import { startEmulator } from '../../emulator/index';
import { TeamsClient } from '../../emulator/teams-client';
import { loadConfig } from '../../src/config/config';
import { startBot, type RunningBot } from '../../src/index';
import { writeSlackStoryExport } from '../support/exports/slack-export';
import { emulatorEnv, cardText, press } from '../support/harness';
import { shownText } from '../support/markdown';
import { startAzurite, type Azurite } from '../store/azurite';
import { cardOf, eventually, GENERAL, planMessage } from './support';

const quiet = () => new Writable({ write: (_c, _e, done) => done() });

describe('import from Teams with two bot instances on Azure storage (Tables + Blob)', function () {
  this.timeout(240000);
  let tables: Azurite;
  let blobs: Azurite;
  let emulator: Emulator;
  let dir: string;
  let a: RunningBot | null = null;
  let b: RunningBot | null = null;

  before(async () => {
    [tables, blobs] = await Promise.all([startAzurite('table'), startAzurite('blob')]);
    emulator = await startEmulator({ quiet: true, limits: { enabled: false } });
    dir = mkdtempSync(path.join(tmpdir(), 'tmb-teams-instances-'));
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await emulator?.stop();
    await Promise.all([tables?.stop(), blobs?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets another instance, with its own disk, finish an import whose instance stopped, from the export kept in Blob storage, on the same card', async () => {
    const exportFile = path.join(dir, 'story.zip');
    await writeSlackStoryExport(exportFile);
    // The account has both services; each instance has its own DATA_DIR (no shared disk).
    const connection = `${tables.connectionString}${blobs.connectionString.split(';').find((p) => p.startsWith('BlobEndpoint='))};`;
    const instance = (name: string) =>
      startBot(
        loadConfig({
          ...emulatorEnv(emulator, path.join(dir, name)),
          STORAGE_BACKEND: 'table',
          AZURE_STORAGE_CONNECTION_STRING: connection,
          IMPORT_THREAD_RPS: '3',
          LOG_LEVEL: 'error',
        }),
        { logDestination: quiet() },
      );
    a = await instance('a');
    const alex = new TeamsClient({ emulator, botUrl: `${a.url}/api/messages` }).as('alex').inPersonalChat();
    await alex.sendsFile('acme-slack-export.zip', readFileSync(exportFile), 'import into "My Team"');
    await a.imports.whenIdle();
    const plan = planMessage(alex, emulator);
    const updated = await press(alex, emulator, 'Update plan', { fallbackSignIn: 'alexw@example.com' });
    await press(alex, emulator, 'Confirm import', {}, updated.card);
    await eventually('instance A has imported a few messages', () => emulator.messages(GENERAL).length >= 3);

    b = await instance('b');
    await a.stop();
    a = null;
    await eventually('instance B finished the import on the same card', () => /Import finished/.test(shownText(cardText(cardOf(emulator, plan.id)))), 120000);
    const job = (await b.store.listImportJobs())[0];
    assert.equal(job.state, 'done');
    for (const t of await b.store.listImportTargets(job.id)) {
      const threadId = t.target.kind === 'channel' ? t.target.channelId : '';
      assert.equal(emulator.messages(threadId).length, t.counts.messages + t.counts.replies, `${t.sourceChannelName}: every message once`);
    }
  });
});
