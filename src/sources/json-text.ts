import { ExportRefused } from './export-reader';

/**
 * JSON parsing that says where a file is broken. `JSON.parse` reports positions inconsistently (often
 * not at all: "Unexpected token '}'"), so on failure a small syntax scanner finds the first error and
 * its line and column, which the admin can look up in the file.
 */

/** Where and why a text is not JSON. Line and column count from 1; column in UTF-16 units. */
export interface JsonSyntaxProblem {
  offset: number;
  line: number;
  column: number;
  reason: string;
}

/** Parses JSON or says what is wrong and where: `{ value }` or `{ problem }`. */
export function tryParseJson(text: string): { value: unknown } | { problem: JsonSyntaxProblem } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    const found = findJsonSyntaxError(text);
    if (found) return { problem: withLineAndColumn(text, found.offset, found.reason) };
    // The scanner and V8 disagree (should not happen); V8's own words are the best we have.
    const reason = error instanceof Error ? error.message.slice(0, 200) : 'not valid JSON';
    return { problem: withLineAndColumn(text, 0, reason) };
  }
}

/**
 * Parses a whole JSON file's text; malformed JSON throws `ExportRefused` naming the file and the line
 * and column of the first error.
 */
export function parseJsonFile(text: string, file: string): unknown {
  const parsed = tryParseJson(text);
  if ('value' in parsed) return parsed.value;
  const { line, column, reason } = parsed.problem;
  throw new ExportRefused(
    `${file} is not valid JSON at line ${line}, column ${column} (${reason}): the export is damaged or was edited; export it again and send it unchanged.`,
  );
}

function withLineAndColumn(text: string, offset: number, reason: string): JsonSyntaxProblem {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { offset, line, column: offset - lineStart + 1, reason };
}

type Expect = 'value' | 'value or ]' | 'key' | 'key or }' | 'colon' | 'comma or close' | 'end';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The offset and reason of the first JSON syntax error (RFC 8259), or null when the text is JSON.
 * Iterative with an explicit stack, so deeply nested input cannot overflow the call stack.
 */
export function findJsonSyntaxError(text: string): { offset: number; reason: string } | null {
  const containers: ('{' | '[')[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const afterValue = (): Expect => (containers.length > 0 ? 'comma or close' : 'end');
  for (;;) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i += 1;
    if (expect === 'end') return i < text.length ? { offset: i, reason: `unexpected ${shown(text, i)} after the end of the JSON value` } : null;
    if (i >= text.length) return { offset: i, reason: 'the text ends in the middle of a JSON value' };
    const c = text[i];
    switch (expect) {
      case 'value':
      case 'value or ]': {
        if (c === ']' && expect === 'value or ]') {
          containers.pop();
          i += 1;
          expect = afterValue();
        } else if (c === '{' || c === '[') {
          containers.push(c);
          i += 1;
          expect = c === '{' ? 'key or }' : 'value or ]';
        } else {
          const end = scanScalar(text, i);
          if (typeof end !== 'number') return end;
          i = end;
          expect = afterValue();
        }
        break;
      }
      case 'key':
      case 'key or }': {
        if (c === '}' && expect === 'key or }') {
          containers.pop();
          i += 1;
          expect = afterValue();
          break;
        }
        if (c !== '"') return { offset: i, reason: `expected a property name in double quotes, found ${shown(text, i)}` };
        const end = scanString(text, i);
        if (typeof end !== 'number') return end;
        i = end;
        expect = 'colon';
        break;
      }
      case 'colon':
        if (c !== ':') return { offset: i, reason: `expected ':' after a property name, found ${shown(text, i)}` };
        i += 1;
        expect = 'value';
        break;
      case 'comma or close': {
        const open = containers[containers.length - 1];
        const close = open === '{' ? '}' : ']';
        if (c === ',') {
          i += 1;
          expect = open === '{' ? 'key' : 'value';
        } else if (c === close) {
          containers.pop();
          i += 1;
          expect = afterValue();
        } else {
          return { offset: i, reason: `expected ',' or '${close}', found ${shown(text, i)}` };
        }
        break;
      }
    }
  }
}

/** Scans a string, number or literal at `i`: the offset after it, or the error. */
function scanScalar(text: string, i: number): number | { offset: number; reason: string } {
  const c = text[i];
  if (c === '"') return scanString(text, i);
  for (const literal of ['true', 'false', 'null']) {
    if (text.startsWith(literal, i)) return i + literal.length;
  }
  NUMBER.lastIndex = i;
  const number = NUMBER.exec(text);
  if (number) return i + number[0].length;
  return { offset: i, reason: `unexpected ${shown(text, i)} where a value should be` };
}

function scanString(text: string, start: number): number | { offset: number; reason: string } {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code === 0x5c) {
      const escape = text[i + 1];
      if (escape === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { offset: i, reason: 'a \\u escape needs four hex digits' };
        i += 6;
      } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) {
        i += 2;
      } else {
        return { offset: i, reason: 'invalid escape in a string' };
      }
    } else if (code < 0x20) {
      return { offset: i, reason: 'a control character (such as a raw line break) inside a string' };
    } else {
      i += 1;
    }
  }
  return { offset: start, reason: 'a string that is never closed' };
}

/** The character at `i`, quoted for a message. */
function shown(text: string, i: number): string {
  const char = String.fromCodePoint(text.codePointAt(i) ?? 0);
  return JSON.stringify(char);
}
