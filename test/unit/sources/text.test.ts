import assert from 'node:assert/strict';
import { byteLines } from '../../../src/sources/byte-lines';
import { ExportRefused } from '../../../src/sources/export-reader';
import { findJsonSyntaxError, parseJsonFile, tryParseJson } from '../../../src/sources/json-text';
import { slackTsSortKey, slackTsToMillis } from '../../../src/sources/slack-ts';
import { decodeUtf8, firstInvalidUtf8 } from '../../../src/sources/utf8';
import { collect } from './fixtures';

function thrown(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    assert.ok(error instanceof ExportRefused);
    return error.message;
  }
  assert.fail('expected ExportRefused');
}

describe('export text: UTF-8, JSON positions, lines, Slack timestamps', () => {
  describe('UTF-8', () => {
    it('decodes UTF-8 and drops a byte-order mark', () => {
      assert.equal(decodeUtf8(Buffer.from('\uFEFFhé 👍', 'utf8'), 'users.json'), 'hé 👍');
    });

    it('refuses invalid UTF-8 naming the file and the byte offset', () => {
      const latin1 = Buffer.concat([Buffer.from('[{"name":"Ren'), Buffer.from([0xe9]), Buffer.from('"}]')]);
      assert.equal(
        thrown(() => decodeUtf8(latin1, 'users.json')),
        'users.json is not UTF-8 text (byte offset 13, line 1, column 14): re-export it from the source unchanged; if the file was edited, save it as UTF-8 and try again.',
      );
      assert.match(
        thrown(() => decodeUtf8(Buffer.from([0x41, 0xff]), 'export.jsonl line 7', 1000)),
        /^export\.jsonl line 7 is not UTF-8 text \(byte offset 1001, column 2\)/,
      );
      const multiline = Buffer.concat([Buffer.from('[\n  {"name": "Zoë Ren'), Buffer.from([0xe9]), Buffer.from('"}\n]')]);
      assert.match(
        thrown(() => decodeUtf8(multiline, 'users.json')),
        /\(byte offset 22, line 2, column 20\)/,
        'columns count characters',
      );
    });

    it('finds the first ill-formed sequence as the decoder sees it', () => {
      assert.equal(firstInvalidUtf8(Buffer.from('aé€😀', 'utf8')), -1);
      assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80])), 1, 'overlong');
      assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xed, 0xa0, 0x80])), 2, 'surrogate');
      assert.equal(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80])), 0, 'past U+10FFFF');
      assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x82])), 1, 'cut short at the end');
      assert.equal(firstInvalidUtf8(Buffer.from([0x80])), 0, 'a lone continuation byte');
    });
  });

  describe('JSON', () => {
    it('parses valid JSON', () => {
      assert.deepEqual(parseJsonFile('{"a": [1, -2.5e3, "x\\u00e9", true, null, {}]}', 'f.json'), { a: [1, -2500, 'xé', true, null, {}] });
      assert.equal(findJsonSyntaxError(' [ [ ] , { "k" : "v" } ] '), null);
    });

    it('names the file, line and column of a syntax error', () => {
      assert.equal(
        thrown(() => parseJsonFile('[\n  {"ts": "1"},\n  {"ts": }\n]', 'general/2021-01-01.json')),
        'general/2021-01-01.json is not valid JSON at line 3, column 10 (unexpected "}" where a value should be): the export is damaged or was edited; export it again and send it unchanged.',
      );
    });

    it('places the usual breakages', () => {
      const at = (text: string) => {
        const parsed = tryParseJson(text);
        assert.ok('problem' in parsed);
        return `${parsed.problem.line}:${parsed.problem.column} ${parsed.problem.reason}`;
      };
      assert.equal(at('[1, 2'), '1:6 the text ends in the middle of a JSON value');
      assert.equal(at('{"a": 1,}'), '1:9 expected a property name in double quotes, found "}"');
      assert.equal(at('{"a" 1}'), '1:6 expected \':\' after a property name, found "1"');
      assert.equal(at('[1 2]'), "1:4 expected ',' or ']', found \"2\"");
      assert.equal(at('[1]\n[2]'), '2:1 unexpected "[" after the end of the JSON value');
      assert.equal(at('["a\nb"]'), '1:4 a control character (such as a raw line break) inside a string');
      assert.equal(at('["abc'), '1:2 a string that is never closed');
      assert.equal(at(''), '1:1 the text ends in the middle of a JSON value');
    });

    it('survives deep nesting without overflowing the stack', () => {
      assert.equal(findJsonSyntaxError('['.repeat(200_000) + ']'.repeat(200_000)), null);
      assert.equal(findJsonSyntaxError('['.repeat(200_000))?.offset, 200_000);
    });
  });

  describe('byte lines', () => {
    it('splits across chunk boundaries with byte offsets and line numbers, CRLF or LF', async () => {
      const text = Buffer.from('ab\r\nçd\n\nlast', 'utf8');
      async function* chunks() {
        for (let i = 0; i < text.length; i += 3) yield text.subarray(i, i + 3);
      }
      const lines = (await collect(byteLines(chunks()))).map((line) => [line.bytes.toString('utf8'), line.offset, line.lineNumber]);
      assert.deepEqual(lines, [
        ['ab', 0, 1],
        ['çd', 4, 2],
        ['', 8, 3],
        ['last', 9, 4],
      ]);
    });
  });

  describe('Slack ts', () => {
    it('turns ts into milliseconds exactly, truncating the microseconds', () => {
      assert.equal(slackTsToMillis('1609459200.123456'), 1609459200123);
      assert.equal(slackTsToMillis('1609459200.999999'), 1609459200999);
      assert.equal(slackTsToMillis('1609459200'), 1609459200000);
      assert.equal(slackTsToMillis('1609459200.1'), 1609459200100);
    });

    it('sorts ts by value, not by string length', () => {
      const sorted = ['1609459200.5', '999999999.000001', '1609459200.123456'].sort((a, b) => (slackTsSortKey(a) < slackTsSortKey(b) ? -1 : 1));
      assert.deepEqual(sorted, ['999999999.000001', '1609459200.123456', '1609459200.5']);
    });
  });
});
