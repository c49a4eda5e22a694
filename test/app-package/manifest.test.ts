import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { commandCatalog } from '../../src/features/help/command-catalog';
import { parseCommand } from '../../src/domain/parse/command-parser';
import { fillPlaceholders } from '../../scripts/package-app';
import { ACCENT_COLOR } from '../../scripts/make-icons';
import { placeholdersIn, readEnvTemplate, readText, sampleValues } from './project';

/** Folder of the Teams manifest schemas bundled in @microsoft/app-manifest (the official ones). */
const SCHEMA_DIR = path.join(path.dirname(require.resolve('@microsoft/app-manifest/package.json')), 'build', 'json-schemas', 'teams');

/** The newest stable (numbered, not devPreview) schema version the package ships, e.g. "1.30". */
function newestStableSchemaVersion(): string {
  const versions = fs
    .readdirSync(SCHEMA_DIR)
    .map((dir) => /^v(\d+)\.(\d+)$/.exec(dir))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [Number(m[1]), Number(m[2])] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const [major, minor] = versions[versions.length - 1];
  return `${major}.${minor}`;
}

/**
 * Compiles the official schema of the given version. The Teams schemas declare JSON Schema draft-04,
 * so they are compiled with Ajv's draft-04 flavour plus the formats they use, exactly as the toolkit's
 * own validator does.
 */
function compileSchema(version: string): ValidateFunction {
  const schema = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, `v${version}`, 'MicrosoftTeams.schema.json'), 'utf8')) as Record<string, unknown>;
  assert.match(String(schema.$schema), /draft-04/);
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  addFormats(ajv, ['uri', 'email', 'regex']);
  return ajv.compile(schema);
}

function errorsOf(validate: ValidateFunction, value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

const template = readText('appPackage/manifest.json');
const raw = JSON.parse(template) as Record<string, any>;

/** The manifest with placeholders filled from an env template (plus sample ids provision would write). */
function filledFor(env: string): Record<string, any> {
  return JSON.parse(fillPlaceholders(template, sampleValues(readEnvTemplate(env)), true)) as Record<string, any>;
}

describe('the Teams app manifest an admin uploads', () => {
  const version = newestStableSchemaVersion();
  const validate = compileSchema(version);

  it(`is written against the newest stable schema @microsoft/app-manifest ships (v${version})`, () => {
    assert.equal(raw.manifestVersion, version);
    assert.equal(raw.$schema, `https://developer.microsoft.com/en-us/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`);
  });

  for (const env of ['local', 'dev']) {
    it(`validates offline against that official schema once the ${env} values are filled in`, () => {
      const manifest = filledFor(env);
      assert.deepEqual(placeholdersIn(JSON.stringify(manifest)), []);
      assert.deepEqual(errorsOf(validate, manifest), []);
    });
  }

  it('fails the same validation when a field is wrong, so the check above can catch mistakes', () => {
    const broken = filledFor('dev');
    broken.bots[0].scopes = ['everyone'];
    broken.bots[0].botId = 'not-a-guid';
    const errors = errorsOf(validate, broken);
    assert.ok(
      errors.some((e) => e.startsWith('/bots/0/scopes/0')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.startsWith('/bots/0/botId')),
      errors.join('\n'),
    );
  });

  it('takes its ids and domain from toolkit placeholders and asks for no SSO (no webApplicationInfo)', () => {
    assert.equal(raw.id, '${{TEAMS_APP_ID}}');
    assert.equal(raw.bots[0].botId, '${{BOT_ID}}');
    assert.deepEqual(raw.validDomains, ['${{BOT_DOMAIN}}']);
    assert.equal(raw.webApplicationInfo, undefined);
  });

  it('offers the bot in personal chat, teams and group chats, each with its own command list', () => {
    const bot = raw.bots[0];
    assert.deepEqual([...bot.scopes].sort(), ['groupChat', 'personal', 'team']);
    // Exports are attached in the personal chat: Teams offers the attach button only with file support.
    assert.equal(bot.supportsFiles, true);
    const listed = bot.commandLists.flatMap((list: { scopes: string[] }) => list.scopes).sort();
    assert.deepEqual(listed, ['groupChat', 'personal', 'team']);
    for (const list of bot.commandLists) assert.equal(list.scopes.length, 1, 'one list per scope');
  });

  it("lists in every scope exactly the commands of the bot's command catalog, with the catalog's descriptions", () => {
    const catalog = new Map(commandCatalog.map((c) => [c.name, c.description]));
    for (const list of raw.bots[0].commandLists as Array<{ scopes: string[]; commands: Array<{ title: string; description: string }> }>) {
      const titles = list.commands.map((c) => c.title);
      assert.deepEqual([...titles].sort(), [...catalog.keys()].sort(), `scope ${list.scopes[0]}`);
      for (const command of list.commands) {
        assert.equal(command.description, catalog.get(command.title), command.title);
        // Limits the Teams app validation applies to bot commands (stricter than the schema).
        assert.ok(command.title.length <= 32 && command.description.length <= 128, `${command.title}: title ≤ 32, description ≤ 128`);
      }
    }
  });

  it('only offers commands the bot actually handles when an admin picks one from the menu', () => {
    for (const list of raw.bots[0].commandLists as Array<{ commands: Array<{ title: string }> }>) {
      for (const { title } of list.commands) {
        assert.notEqual(parseCommand(title).verb, 'unknown', `"${title}" is not understood by the command parser`);
      }
    }
  });

  it('describes itself to administrators: who may act, what it changes, and the permissions it needs', () => {
    assert.ok(raw.description.short.length <= 80);
    const full: string = raw.description.full;
    for (const phrase of ['administrators', 'migration mode', 'audit', 'Teamwork.Migrate.All', 'consent', 'cannot be undone', 'locked']) {
      assert.ok(full.includes(phrase), `full description should mention "${phrase}"`);
    }
  });

  it('uses the accent colour of its own colour icon', () => {
    assert.equal(raw.accentColor, ACCENT_COLOR);
    assert.deepEqual(raw.icons, { color: 'color.png', outline: 'outline.png' });
  });
});
