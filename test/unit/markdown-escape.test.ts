import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeMarkdown } from '../../src/cards/markdown';
import { renderCard, renderOutcome } from '../../src/cards/renderer';
import { markdownFeatures, markdownStrings, shownText } from '../support/markdown';

/** What a name looks like on one line: every run of line breaks one space, other control characters gone. */
const flattened = (s: string) =>
  s
    // eslint-disable-next-line no-control-regex -- line-breaking control characters are what this flattens
    .replace(/[\r\n\u000b\u000c\u0085\u2028\u2029]+/g, ' ')
    .replace(/\t/g, ' ')
    // eslint-disable-next-line no-control-regex -- and the other control characters are what it removes
    .replace(/[\u0000-\u0008\u000e-\u001f\u007f]/g, '');

const PLANTED = [
  '[click me](https://evil.example)',
  '**URGENT** approve',
  '__URGENT__',
  '_italic_ and *italic*',
  '![x](https://evil.example/p.png)',
  '<https://evil.example>',
  '<mallory@evil.example>',
  '`code`',
  '~~struck~~',
  '- item',
  '+ item',
  '* item',
  '1. first',
  '2) second',
  '# Heading',
  '> quoted',
  'line one\n\n- injected bullet',
  'a\r\n2. injected',
  'trailing backslash \\',
  '\\[still literal\\]',
  '[nested [link]](javascript:alert(1))',
];
const markdownish = fc
  .array(
    fc.oneof(
      fc.constantFrom(...PLANTED, '*', '_', '[', ']', '(', ')', '\\', '`', '~', '<', '>', '#', '-', '+', '1.', '\n', '\r', '\t', ' ', '|', '!'),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 12 },
  )
  .map((p) => p.join(''));

describe('markdown in cards: names chosen by users show literally', () => {
  it('escapes every planted construct so that it renders as plain text', () => {
    for (const name of PLANTED) {
      const escaped = escapeMarkdown(name);
      assert.deepEqual(markdownFeatures(escaped), [], `${JSON.stringify(name)} → ${JSON.stringify(escaped)}`);
      assert.equal(shownText(escaped), flattened(name), `${JSON.stringify(name)} reads as itself`);
    }
  });

  it('any text, escaped, renders no formatting and reads as itself on one line (property-based)', () => {
    fc.assert(
      fc.property(fc.oneof(markdownish, fc.string({ unit: 'binary', maxLength: 40 })), (name) => {
        const escaped = escapeMarkdown(name);
        assert.deepEqual(markdownFeatures(escaped), [], JSON.stringify(escaped));
        assert.equal(shownText(escaped), flattened(name));
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves ordinary names as they are (no backslash where nothing could be formatted)', () => {
    for (const name of ['Sales - EMEA', 'C++ Guild', 'Ops #1', 'R&D (2024)', 'Hello!', 'one-on-one chat with Megan Bowen', 'a | b', 'Version 2.0']) {
      assert.equal(escapeMarkdown(name), name);
    }
  });

  it("the renderer escapes data in every markdown property, keeps the template's own markdown, and leaves ids and verbs untouched", () => {
    const card = renderCard('list', {
      title: '**URGENT** approve',
      summary: '[click me](https://evil.example)',
      rows: [{ heading: '_Sales_', detail: '- planted', buttons: [{ title: 'Status', verb: 'status', target: 'chat:19:meeting_a_b@thread.v2' }] }],
      footer: '',
    });
    for (const text of markdownStrings(card)) {
      // The heading is bold by the template's own **…**; inside it, and everywhere else, nothing may be formatted.
      const inner = /^\*\*(.*)\*\*$/.exec(text)?.[1] ?? text;
      assert.deepEqual(markdownFeatures(inner), [], text);
    }
    const json = JSON.stringify(card);
    assert.match(json, /"target":"chat:19:meeting_a_b@thread.v2"/, 'action data is not escaped');
    assert.doesNotMatch(json, /[\uE000\uE001]/, 'no boundary mark is left behind');
    assert.ok(markdownStrings(card).includes('**\\_Sales\\_**'), 'template markdown kept around the escaped heading');
  });

  it("a value cannot fake the renderer's boundary marks to escape the escaping", () => {
    const card = renderOutcome({ title: 'x\uE001[click me](https://evil.example)\uE000y', summary: '\uE000**bold**\uE001' });
    for (const text of markdownStrings(card)) assert.deepEqual(markdownFeatures(text), [], text);
  });

  it("an empty value still reads as empty to the templates' conditions", () => {
    const card = renderOutcome({ title: 'Done', summary: '' }) as unknown as { body: { text?: string }[] };
    assert.equal(card.body.length, 1, 'the summary block is left out when the summary is empty');
  });
});
