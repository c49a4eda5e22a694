import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import AdmZip from 'adm-zip';
import { buildAppPackage, fillPlaceholders, PackageError, parseEnvText, placeholdersIn } from '../../scripts/package-app';
import { ROOT } from './project';

/** Values provisioning would have written; everything else comes from env/.env.<env>. */
const PROVISIONED = {
  TEAMS_APP_ID: '3f1c2a9e-5b7d-4c11-9e0a-2b6f8d4c7a10',
  BOT_ID: 'bbbbbbbb-0000-0000-0000-000000000001',
  BOT_DOMAIN: 'migbotdev-abc123def4567.azurewebsites.net',
};

describe('an admin builds the app package with npm run package', () => {
  let out: string;
  beforeEach(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'app-package-'));
  });
  afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

  it('gets appPackage.dev.zip holding exactly the manifest and the two icons', async () => {
    const built = await buildAppPackage({ env: 'dev', rootDir: ROOT, outputDir: out, environment: PROVISIONED });
    assert.equal(built.zipPath, path.join(out, 'appPackage.dev.zip'));
    const zip = new AdmZip(built.zipPath);
    assert.deepEqual(
      zip
        .getEntries()
        .map((e) => e.entryName)
        .sort(),
      ['color.png', 'manifest.json', 'outline.png'],
    );
    assert.ok(zip.readFile('color.png')!.equals(fs.readFileSync(path.join(ROOT, 'appPackage', 'color.png'))));
    assert.ok(zip.readFile('outline.png')!.equals(fs.readFileSync(path.join(ROOT, 'appPackage', 'outline.png'))));
  });

  it('fills every placeholder: ids from provisioning, the rest from env/.env.dev', async () => {
    const built = await buildAppPackage({ env: 'dev', rootDir: ROOT, outputDir: out, environment: PROVISIONED });
    const text = new AdmZip(built.zipPath).readAsText('manifest.json');
    assert.deepEqual(placeholdersIn(text), []);
    const manifest = JSON.parse(text) as { id: string; bots: Array<{ botId: string }>; validDomains: string[]; developer: { name: string } };
    assert.equal(manifest.id, PROVISIONED.TEAMS_APP_ID);
    assert.equal(manifest.bots[0].botId, PROVISIONED.BOT_ID);
    assert.deepEqual(manifest.validDomains, [PROVISIONED.BOT_DOMAIN]);
    assert.equal(manifest.developer.name, parseEnvText(fs.readFileSync(path.join(ROOT, 'env', '.env.dev'), 'utf8')).DEVELOPER_NAME);
    assert.ok(fs.existsSync(path.join(out, 'manifest.dev.json')));
  });

  it('lets the process environment win over the env file', async () => {
    const built = await buildAppPackage({
      env: 'local',
      rootDir: ROOT,
      outputDir: out,
      environment: { ...PROVISIONED, DEVELOPER_NAME: 'Fabrikam Migration Team' },
    });
    assert.equal((built.manifest.developer as { name: string }).name, 'Fabrikam Migration Team');
    assert.equal(built.zipPath, path.join(out, 'appPackage.local.zip'));
  });

  it('refuses to build before provisioning, naming the empty ids, and writes nothing', async () => {
    await assert.rejects(
      // Empty, as in a fresh env/.env.dev (set here so that an already provisioned checkout behaves the same).
      buildAppPackage({ env: 'dev', rootDir: ROOT, outputDir: out, environment: { TEAMS_APP_ID: '', BOT_ID: '', BOT_DOMAIN: '' } }),
      (error: Error) =>
        error instanceof PackageError && /\/id must match pattern/.test(error.message) && /TEAMS_APP_ID/.test(error.message) && /BOT_ID/.test(error.message),
    );
    assert.deepEqual(fs.readdirSync(out), []);
  });

  it('refuses an environment without an env file, naming the undefined variables', async () => {
    await assert.rejects(
      buildAppPackage({ env: 'nosuchenv', rootDir: ROOT, outputDir: out, environment: PROVISIONED }),
      (error: Error) => error instanceof PackageError && /not defined/.test(error.message) && /DEVELOPER_NAME/.test(error.message),
    );
  });

  it('refuses an environment name that could escape the env folder', async () => {
    await assert.rejects(buildAppPackage({ env: '../secrets', rootDir: ROOT, outputDir: out, environment: PROVISIONED }), PackageError);
  });
});

describe('placeholders and env files as the toolkit reads them', () => {
  it('parses comments, quotes, exports and trailing comments', () => {
    const vars = parseEnvText(['# comment', 'A=1', 'export B="two words"', "C=' (local)'", 'D=plain # note', 'E=', 'not a line'].join('\n'));
    assert.deepEqual(vars, { A: '1', B: 'two words', C: ' (local)', D: 'plain', E: '' });
  });

  it('keeps the manifest valid JSON when a value contains quotes', () => {
    const filled = fillPlaceholders('{"name": "${{NAME}}"}', { NAME: 'Contoso "IT"' }, true);
    assert.equal((JSON.parse(filled) as { name: string }).name, 'Contoso "IT"');
  });

  it('treats an empty value as defined but a missing one as an error', () => {
    assert.equal(fillPlaceholders('a${{X}}b', { X: '' }), 'ab');
    assert.throws(() => fillPlaceholders('${{X}} ${{Y}}', { X: '1' }), /Y/);
  });
});
