import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cardFields, type BulkProgressView, type TemplateName } from '../../src/cards/card-data';
import { renderCard, renderOutcome, templates } from '../../src/cards/renderer';

const TEMPLATE_DIR = path.resolve(__dirname, '..', '..', '..', 'src', 'cards', 'templates');

/** The fields a template reads, as a tree: `null` for a field shown as it is, a subtree for a list the template repeats over. */
type Fields = Map<string, Fields | null>;

/** Names inside an expression that are not data: keywords; functions are recognised by their `(`. */
const KEYWORDS = new Set(['true', 'false', 'null']);

/**
 * The data names an expression reads at its own scope: identifiers that are not a function call,
 * a keyword, a property after a dot, or inside a string literal. `$data` is the scope itself;
 * any other `$` name (`$root`, `$index`) is refused, since the check below does not follow it.
 */
function namesIn(expression: string): string[] {
  const code = expression.replace(/'[^']*'|"[^"]*"/g, "''");
  const names: string[] = [];
  for (const m of code.matchAll(/(\.\s*)?([$A-Za-z_][\w$]*)(\s*\()?/g)) {
    const [, afterDot, name, call] = m;
    if (afterDot || call || KEYWORDS.has(name)) continue;
    if (name === '$data') continue;
    if (name.startsWith('$')) throw new Error(`${name} in \${${expression}}: extend this check before using it`);
    names.push(name);
  }
  return names;
}

/** Every `${...}` of a string. */
const expressionsIn = (s: string): string[] => [...s.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);

function read(node: unknown, scope: Fields): void {
  if (typeof node === 'string') {
    for (const e of expressionsIn(node)) for (const name of namesIn(e)) if (!scope.has(name)) scope.set(name, null);
    return;
  }
  if (Array.isArray(node)) {
    for (const n of node) read(n, scope);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const { $data, ...rest } = node as Record<string, unknown>;
  let inner = scope;
  if ($data !== undefined) {
    // `"$data": "${list}"` repeats this object over `list`; everything in it reads the item.
    const bound = typeof $data === 'string' ? /^\$\{\s*([A-Za-z_]\w*)\s*\}$/.exec($data)?.[1] : undefined;
    assert.ok(bound, `$data must name one field of its scope, not ${JSON.stringify($data)}`);
    inner = scope.get(bound) ?? new Map();
    scope.set(bound, inner);
  }
  for (const value of Object.values(rest)) read(value, inner);
}

/** A list repeated over without reading its items' fields (`${$data}`) is shown as it is. */
function normalised(fields: Fields): Fields {
  return new Map([...fields].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v && v.size > 0 ? normalised(v) : null]));
}

function fieldsOfTemplate(template: unknown): Fields {
  const root: Fields = new Map();
  read(template, root);
  return normalised(root);
}

function fieldsOfList(list: object): Fields {
  return normalised(new Map(Object.entries(list).map(([k, v]) => [k, v === true ? null : fieldsOfList(v as object)])));
}

/** A tree as plain data, so assert.deepEqual shows a readable difference. */
const plain = (fields: Fields): Record<string, unknown> => Object.fromEntries([...fields].map(([k, v]) => [k, v ? plain(v) : true]));

/**
 * Never called: each line must fail to compile, and `@ts-expect-error` fails the build if one
 * compiles, so the typing of `renderCard` cannot quietly fall back to `object`.
 */
function wrongDataDoesNotCompile(progress: BulkProgressView): void {
  // Each wrong call fits on one line: a formatter wrapping it would move the error off the directive's line.
  // @ts-expect-error a field the template does not read
  renderCard('help', { intro: '', commands: [], footer: '' });
  // @ts-expect-error a field the template reads is missing
  renderCard('list', { title: '', summary: '', rows: [] });
  // @ts-expect-error a field of a repeated item is misspelt
  renderCard('bulk-progress', { ...progress, failures: [{ lines: '' }] });
  // @ts-expect-error a template that does not exist
  renderCard('nothing', {});
  // @ts-expect-error an outcome needs its title
  renderOutcome({ summary: '' });
  // @ts-expect-error a colour Adaptive Cards does not have
  renderOutcome({ title: '', color: 'Red' });
}

describe("card data: each template's data has a type, and the type is what the template reads", () => {
  it('has one type and one field list for every template file, and no other', () => {
    const files = fs
      .readdirSync(TEMPLATE_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
    assert.deepEqual(Object.keys(templates).sort(), files, 'templates registered with the renderer');
    assert.deepEqual(Object.keys(cardFields).sort(), files, 'field lists in card-data.ts');
    assert.equal(typeof wrongDataDoesNotCompile, 'function');
  });

  for (const name of Object.keys(cardFields) as TemplateName[]) {
    it(`${name}.json reads exactly the fields of its type, at every level`, () => {
      const template: unknown = JSON.parse(fs.readFileSync(path.join(TEMPLATE_DIR, `${name}.json`), 'utf8'));
      assert.deepEqual(plain(fieldsOfTemplate(template)), plain(fieldsOfList(cardFields[name])));
    });
  }

  it('finds the names of conditions and repeated lists, and skips functions, strings and $data', () => {
    assert.deepEqual(namesIn("count(channelChoices) > 0 && channelId == ''"), ['channelChoices', 'channelId']);
    assert.deepEqual(namesIn("summary != 'a b'"), ['summary']);
    assert.deepEqual(namesIn('$data'), []);
    assert.throws(() => namesIn('$root.title'), /\$root/);
    const fields = fieldsOfTemplate({
      body: [{ $data: '${rows}', text: '${line}', $when: '${count(tags) > 0}' }, { $data: '${bullets}', text: '• ${$data}' }, { text: '${title}' }],
    });
    assert.deepEqual(plain(fields), { bullets: true, rows: { line: true, tags: true }, title: true });
  });
});
