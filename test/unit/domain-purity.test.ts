import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

/** The repository root, from dist/test/unit. */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const DOMAIN = path.join(ROOT, 'src', 'domain');

function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('the domain core stays pure', () => {
  it('imports nothing outside src/domain: no package, no Node module, no other folder of the bot', () => {
    const offending: string[] = [];
    for (const file of sources(DOMAIN)) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const spec = m[1] ?? m[2];
        const resolved = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : null;
        if (!resolved || !(resolved === DOMAIN || resolved.startsWith(DOMAIN + path.sep))) offending.push(`${path.relative(ROOT, file)} → ${spec}`);
      }
    }
    assert.deepEqual(offending, []);
  });
});
