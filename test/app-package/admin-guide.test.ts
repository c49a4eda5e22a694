import assert from 'node:assert/strict';
import { clouds } from '../../src/config/clouds';
import { MIGRATION_APP_ROLES, readJson, readText } from './project';

describe("the administrator's guide (docs/admin-guide.md)", () => {
  const guide = readText('docs/admin-guide.md');
  const rows = guide.split('\n').filter((line) => line.startsWith('|'));

  it('covers architecture, permissions, consent, credentials, clouds, ownership and troubleshooting', () => {
    for (const heading of [
      '## Architecture',
      '## Permissions',
      '## Admin consent',
      '## Secrets and certificates',
      '## National clouds',
      '## The ownership rule',
      '## Troubleshooting',
    ]) {
      assert.ok(guide.includes(`\n${heading}\n`), heading);
    }
    assert.ok(guide.includes('```mermaid'), 'architecture diagram');
  });

  it('explains every permission the migration app requests, with the id in its manifest', () => {
    const requested = readJson<{ requiredResourceAccess: Array<{ resourceAccess: Array<{ id: string }> }> }>(
      'aad.migration.manifest.json',
    ).requiredResourceAccess.flatMap((r) => r.resourceAccess.map((a) => a.id));
    for (const [name, id] of Object.entries(MIGRATION_APP_ROLES)) {
      assert.ok(requested.includes(id), `${name} is not requested`);
      const row = rows.find((r) => r.includes(`\`${name}\``) && r.includes(id));
      assert.ok(row, `no table row explains ${name} (${id})`);
      assert.ok(row.split('|').filter((cell) => cell.trim().length > 0).length >= 4, `${name}: say why it is needed`);
    }
  });

  it('gives the same national-cloud endpoints the bot uses', () => {
    for (const [name, endpoints] of Object.entries(clouds)) {
      const row = rows.find((r) => r.startsWith(`| \`${name}\``));
      assert.ok(row, `no row for GRAPH_CLOUD=${name}`);
      assert.ok(row.includes(endpoints.authorityHost) && row.includes(endpoints.graphEndpoint), name);
    }
  });

  it('maps the Graph errors the bot reports to fixes', () => {
    for (const code of [
      '403 Forbidden',
      '400 BadRequest',
      '404 NotFound',
      '412 PreconditionFailed',
      '429 TooManyRequests',
      '401 Unauthorized',
      'AADSTS7000215',
    ]) {
      assert.ok(
        rows.some((r) => r.includes(code)),
        code,
      );
    }
  });
});
