import assert from 'node:assert/strict';
import { commentedVariables, CONFIG_VARIABLES, readEnvTemplate, readText, SECRET_CONFIG_VARIABLES, type EnvTemplate } from './project';

/** The comment block right above a line (may be empty). */
function commentAbove(template: EnvTemplate, lineIndex: number): string {
  const comments: string[] = [];
  for (let i = lineIndex - 1; i >= 0 && template.lines[i].trim().startsWith('#'); i--) comments.unshift(template.lines[i]);
  return comments.join('\n');
}

function lineOf(template: EnvTemplate, name: string): number {
  return template.lines.findIndex((l) => l.startsWith(`${name}=`));
}

/** Text that looks like a credential rather than a setting. */
const LOOKS_SECRET = /(AccountKey=|SharedAccessSignature|-----BEGIN|eyJ[A-Za-z0-9_-]{10,}\.|[A-Za-z0-9_.-]{3}\dQ~[A-Za-z0-9~._-]{20,})/;

for (const env of ['dev', 'local']) {
  describe(`env/.env.${env}, the template an admin fills in`, () => {
    const template = readEnvTemplate(env);

    it('lists every variable the bot reads, each explained by a comment', () => {
      const problems: string[] = [];
      for (const name of CONFIG_VARIABLES) {
        if ((SECRET_CONFIG_VARIABLES as readonly string[]).includes(name)) continue;
        const line = lineOf(template, name);
        if (line < 0) problems.push(`${name} missing`);
        else if (!commentAbove(template, line).includes(name)) problems.push(`${name} has no comment naming it`);
      }
      assert.deepEqual(problems, []);
    });

    it('documents the secret variables without assigning them, and says where they live', () => {
      const text = template.lines.join('\n');
      for (const name of SECRET_CONFIG_VARIABLES) {
        assert.equal(lineOf(template, name), -1, `${name} must not be assigned in a committed template`);
        assert.ok(
          template.lines.some((l) => l.startsWith('#') && l.includes(name)),
          `${name} is not explained`,
        );
      }
      assert.ok(text.includes(`env/.env.${env}.user`), 'names the .user file that holds secrets');
      for (const name of commentedVariables(template)) assert.match(name, /^SECRET_/);
      assert.deepEqual(
        Object.keys(template.vars).filter((n) => n.startsWith('SECRET_')),
        [],
      );
    });

    it('contains no credential-looking values', () => {
      for (const [name, value] of Object.entries(template.vars)) assert.doesNotMatch(value, LOOKS_SECRET, name);
    });

    it('defaults to channel authentication on and the documented Graph settings', () => {
      assert.equal(template.vars.LOCAL_MODE, 'false');
      assert.equal(template.vars.GRAPH_CLOUD, 'global');
      assert.equal(template.vars.GRAPH_API_VERSION, 'v1.0');
      assert.equal(template.vars.ADMIN_ROLE_IDS, '62e90394-69f5-4237-9190-012177145e10,69091246-20e8-4a56-aa4d-066075b2a7a8');
      assert.equal(template.vars.TEAMSFX_ENV, env);
    });
  });
}

describe('the list of configuration variables these checks use', () => {
  it('matches what src/config/config.ts actually reads', () => {
    const source = readText('src/config/config.ts');
    const block = /const envSchema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(source);
    assert.ok(block, 'envSchema not found in src/config/config.ts');
    const read = [...block[1].matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]);
    assert.deepEqual([...read].sort(), [...CONFIG_VARIABLES].sort());
  });

  it('keeps secret files out of git', () => {
    const ignored = readText('.gitignore').split('\n');
    assert.ok(ignored.includes('.env.*.user') || ignored.includes('env/.env.*.user'));
  });
});
