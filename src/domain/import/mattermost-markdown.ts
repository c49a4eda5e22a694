/**
 * Mattermost markdown (a post's `message` in a bulk export) → Teams chatMessage HTML.
 *
 * Hand-written on purpose rather than a markdown library: libraries pass raw HTML through (or need
 * a separate sanitiser to be trusted), emit tags Teams does not take, and would put an npm package in
 * the domain. This converter knows only the subset chat messages use, follows CommonMark's rules for
 * it, and can only produce the nodes of `./html`, whose renderer escapes every piece of text: raw HTML
 * in a post shows as the text it is.
 *
 * Blocks: fenced code (``` or ~~~), `>` quotes (nested, holding any block), paragraphs whose line
 * breaks are kept (Mattermost shows them), blank lines. Headings, lists, tables and indented code
 * stay as their text, which reads well enough in a chat. Inline: backslash escapes, code spans,
 * `*`/`_` emphasis by CommonMark's delimiter algorithm, `~~strike~~`, `[label](url)` and
 * `![alt](url)` (as a link: the image is not carried over), `<https://…>` and bare http(s) URLs,
 * `@username` mentions, `:emoji:`. `~channel` needs nothing: a single `~` is plain text.
 */
import type { FormatTag, HtmlNode, Line } from './html';
import { BREAK, emojiAt, inLabel, isSafeHref, joinLines, renderHtml, textNode, urlLabel } from './html';
import type { RenderContext, RenderedText } from './teams-message';

/**
 * Converts Mattermost markdown to Teams HTML: `<b>`, `<i>`, `<s>`, `<code>`, `<pre>`, `<blockquote>`,
 * `<br>`, `<a href>` (http, https, mailto only) and `<at id="n">` mentions of mapped users, with the
 * matching `mentions` entries.
 */
export function markdownToHtml(text: string, ctx: RenderContext): RenderedText {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  return renderHtml(joinLines(parseBlocks(lines, 0, ctx)));
}

// ---------------------------------------------------------------------------------------------
// Blocks

/** Deeper `>` nesting stays text: bounds the recursion on hostile input. */
const MAX_QUOTE_DEPTH = 8;
const QUOTE = /^ {0,3}>/;
const QUOTE_MARK = /^ {0,3}> ?/;
const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

interface Fence {
  indent: number;
  ch: string;
  length: number;
}

function parseBlocks(lines: readonly string[], depth: number, ctx: RenderContext): Line[] {
  const out: Line[] = [];
  let i = 0;
  while (i < lines.length) {
    const fence = fenceOpening(lines[i]);
    if (fence) {
      const { node, next } = readFence(lines, i, fence);
      out.push({ kind: 'block', node });
      i = next;
    } else if (isQuote(lines[i], depth)) {
      const inner: string[] = [];
      for (; i < lines.length && isQuote(lines[i], depth); i++) inner.push(lines[i].replace(QUOTE_MARK, ''));
      out.push({ kind: 'block', node: { kind: 'quote', children: joinLines(parseBlocks(inner, depth + 1, ctx)) } });
    } else if (lines[i].trim() === '') {
      out.push({ kind: 'inline', nodes: [] });
      i++;
    } else {
      const start = i;
      for (i++; i < lines.length && !startsBlock(lines[i], depth); i++);
      out.push({ kind: 'inline', nodes: parseInline(lines.slice(start, i).join('\n'), ctx) });
    }
  }
  return out;
}

const isQuote = (line: string, depth: number) => depth < MAX_QUOTE_DEPTH && QUOTE.test(line);

/** A line that ends a paragraph: blank, a fence or a quote (no lazy continuation of quotes). */
function startsBlock(line: string, depth: number): boolean {
  return line.trim() === '' || fenceOpening(line) !== null || isQuote(line, depth);
}

function fenceOpening(line: string): Fence | null {
  const m = FENCE_OPEN.exec(line);
  // A backtick fence's info string cannot hold a backtick: "```x```" on one line is a code span.
  if (!m || (m[2][0] === '`' && m[3].includes('`'))) return null;
  return { indent: m[1].length, ch: m[2][0], length: m[2].length };
}

/** The code block from an opening fence to its closing fence (or the end of the container), verbatim. */
function readFence(lines: readonly string[], start: number, fence: Fence): { node: HtmlNode; next: number } {
  const body: string[] = [];
  let i = start + 1;
  for (; i < lines.length; i++) {
    const close = FENCE_CLOSE.exec(lines[i]);
    if (close && close[1][0] === fence.ch && close[1].length >= fence.length) {
      return { node: { kind: 'pre', text: body.join('\n') }, next: i + 1 };
    }
    body.push(lines[i].replace(new RegExp(`^ {0,${fence.indent}}`), ''));
  }
  return { node: { kind: 'pre', text: body.join('\n') }, next: i };
}

// ---------------------------------------------------------------------------------------------
// Inline: a linked list of cells (finished nodes and pending delimiter runs) built in one pass, then
// CommonMark's "process emphasis" pairs the runs and wraps the cells between them.

interface Delim {
  kind: 'delim';
  ch: string;
  /** Characters of the run still unmatched. */
  count: number;
  /** The run's length as written (the rule of three uses it). */
  length: number;
  canOpen: boolean;
  canClose: boolean;
  cell: Cell;
  prevDelim: Delim | null;
  nextDelim: Delim | null;
  /** Order of creation: the openers-bottom bookkeeping compares positions. */
  index: number;
}

interface Cell {
  prev: Cell | null;
  next: Cell | null;
  value: HtmlNode | Delim;
  /** How deeply formatted the node is (bounds nesting on hostile input). */
  depth: number;
}

interface Bracket {
  cell: Cell;
  image: boolean;
  /** False once a link was made after it: no link inside a link. */
  active: boolean;
  /** The delimiter stack's top when the bracket opened: the label's emphasis is processed above it. */
  delimBottom: Delim | null;
}

/** Formatting nested deeper than this loses its markers but keeps its text: bounds the renderer's recursion. */
const MAX_NESTING = 16;
const BROADCASTS = new Set(['here', 'channel', 'all']);

function parseInline(src: string, ctx: RenderContext): HtmlNode[] {
  return new InlineParser(src, ctx).parse();
}

const ESCAPABLE = /[!-/:-@[-`{-~]/;
const PLAIN_RUN = /[^\\`*_~[\]!<@:&\nhH]+/y;
const ENTITY = /&(?:(amp|lt|gt|quot|apos|nbsp)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));/y;
const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
const AUTOLINK = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>/y;
const BARE_URL = /https?:\/\/[^\s<]+/iy;
const USERNAME = /[A-Za-z0-9][A-Za-z0-9._-]*/y;

const isWhitespace = (ch: string) => /^\s$/u.test(ch);
const isPunctuation = (ch: string) => /^[\p{P}\p{S}]$/u.test(ch);

/** The code point before `i` (a line break at the start, which counts as white space). */
function charBefore(src: string, i: number): string {
  if (i <= 0) return '\n';
  const low = src.charCodeAt(i - 1);
  return low >= 0xdc00 && low <= 0xdfff && i >= 2 ? src.slice(i - 2, i) : src[i - 1];
}

/** The code point at `i` (a line break past the end). */
function charAt(src: string, i: number): string {
  return i >= src.length ? '\n' : String.fromCodePoint(src.codePointAt(i) ?? 10);
}

/**
 * One paragraph's inline content, in one left-to-right pass (CommonMark's inline algorithm, reduced to
 * what chat messages use); emphasis is matched when a link closes and at the end.
 */
class InlineParser {
  private head: Cell | null = null;
  private tail: Cell | null = null;
  private delimTop: Delim | null = null;
  private delimCount = 0;
  private readonly brackets: Bracket[] = [];
  private pos = 0;
  private text = '';
  /** Start positions of every backtick run, by length: finding a code span's end is a lookup. */
  private readonly backtickRuns = new Map<number, number[]>();

  constructor(
    private readonly src: string,
    private readonly ctx: RenderContext,
  ) {
    for (const m of src.matchAll(/`+/g)) {
      const starts = this.backtickRuns.get(m[0].length) ?? [];
      starts.push(m.index);
      this.backtickRuns.set(m[0].length, starts);
    }
  }

  parse(): HtmlNode[] {
    while (this.pos < this.src.length) this.step();
    this.flushText();
    this.processEmphasis(null);
    return this.extract(null, null).nodes;
  }

  private step(): void {
    const ch = this.src[this.pos];
    if (ch === '\\') this.backslash();
    else if (ch === '`') this.codeSpan();
    else if (ch === '*' || ch === '_') this.delimiterRun(ch);
    else if (ch === '~') this.tildes();
    else if (ch === '[') this.openBracket(false, 1);
    else if (ch === '!' && this.src[this.pos + 1] === '[') this.openBracket(true, 2);
    else if (ch === ']') this.closeBracket();
    else if (ch === '<') this.autolink();
    else if (ch === '@') this.mention();
    else if (ch === ':') this.emoji();
    else if (ch === '&') this.entity();
    else if (ch === '\n') this.lineBreak();
    else if ((ch === 'h' || ch === 'H') && this.bareUrl()) return;
    else this.plain();
  }

  // --- the cell list

  private append(value: HtmlNode | Delim, depth = 0): Cell {
    const cell: Cell = { prev: this.tail, next: null, value, depth };
    if (this.tail) this.tail.next = cell;
    else this.head = cell;
    this.tail = cell;
    return cell;
  }

  private pushText(text: string): void {
    this.text += text;
  }

  private pushNode(node: HtmlNode, depth = 0): void {
    this.flushText();
    this.append(node, depth);
  }

  private flushText(): void {
    if (this.text !== '') this.append(textNode(this.text));
    this.text = '';
  }

  private removeCell(cell: Cell): void {
    if (cell.prev) cell.prev.next = cell.next;
    else this.head = cell.next;
    if (cell.next) cell.next.prev = cell.prev;
    else this.tail = cell.prev;
  }

  /** Unlinks the cells strictly between `after` and `before` (null: the list's ends) and returns them as nodes. */
  private extract(after: Cell | null, before: Cell | null): { nodes: HtmlNode[]; depth: number } {
    const nodes: HtmlNode[] = [];
    let depth = 0;
    for (let cell = after ? after.next : this.head; cell && cell !== before; cell = cell.next) {
      const value = cell.value;
      if (value.kind !== 'delim') nodes.push(value);
      else if (value.count > 0) nodes.push(textNode(value.ch.repeat(value.count)));
      depth = Math.max(depth, cell.depth);
    }
    if (after) after.next = before;
    else this.head = before;
    if (before) before.prev = after;
    else this.tail = after;
    return { nodes, depth };
  }

  private insertAfter(cell: Cell, value: HtmlNode, depth: number): void {
    const inserted: Cell = { prev: cell, next: cell.next, value, depth };
    if (cell.next) cell.next.prev = inserted;
    else this.tail = inserted;
    cell.next = inserted;
  }

  private maxDepthBetween(after: Cell, before: Cell | null): number {
    let depth = 0;
    for (let cell = after.next; cell && cell !== before; cell = cell.next) depth = Math.max(depth, cell.depth);
    return depth;
  }

  // --- scanning

  private plain(): void {
    PLAIN_RUN.lastIndex = this.pos;
    const run = PLAIN_RUN.exec(this.src)?.[0] ?? this.src[this.pos];
    this.pushText(run);
    this.pos += run.length;
  }

  /** `\*` is a literal `*`; a backslash ending a line is a hard break (the break is kept anyway). */
  private backslash(): void {
    const next = this.src[this.pos + 1] ?? '';
    if (ESCAPABLE.test(next)) {
      this.pushText(next);
      this.pos += 2;
    } else if (next === '\n') {
      this.pos += 1;
    } else {
      this.pushText('\\');
      this.pos += 1;
    }
  }

  /** A run of n backticks opens a code span closed by the next run of exactly n; unmatched, it is text. */
  private codeSpan(): void {
    let end = this.pos;
    while (this.src[end] === '`') end++;
    const length = end - this.pos;
    const close = this.nextBacktickRun(end, length);
    if (close < 0) {
      this.pushText(this.src.slice(this.pos, end));
      this.pos = end;
      return;
    }
    let code = this.src.slice(end, close).replace(/\n/g, ' ');
    if (/^ .* $/s.test(code) && code.trim() !== '') code = code.slice(1, -1);
    this.pushNode({ kind: 'code', text: code });
    this.pos = close + length;
  }

  private nextBacktickRun(from: number, length: number): number {
    const starts = this.backtickRuns.get(length) ?? [];
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < starts.length ? starts[lo] : -1;
  }

  /** A run of `*` or `_`, with CommonMark's flanking rules deciding whether it may open and close. */
  private delimiterRun(ch: string): void {
    let end = this.pos;
    while (this.src[end] === ch) end++;
    this.pushDelim(ch, this.pos, end);
    this.pos = end;
  }

  /** `~~` (exactly two) may strike through; a single `~` (`~channel`) or three or more are text. */
  private tildes(): void {
    let end = this.pos;
    while (this.src[end] === '~') end++;
    if (end - this.pos === 2) this.pushDelim('~', this.pos, end);
    else this.pushText(this.src.slice(this.pos, end));
    this.pos = end;
  }

  private pushDelim(ch: string, start: number, end: number): void {
    const before = charBefore(this.src, start);
    const after = charAt(this.src, end);
    const leftFlanking = !isWhitespace(after) && (!isPunctuation(after) || isWhitespace(before) || isPunctuation(before));
    const rightFlanking = !isWhitespace(before) && (!isPunctuation(before) || isWhitespace(after) || isPunctuation(after));
    // `_` may not open or close inside a word (snake_case_name); `*` may (CommonMark: 2*3*4 is emphasis).
    const canOpen = ch === '_' ? leftFlanking && (!rightFlanking || isPunctuation(before)) : leftFlanking;
    const canClose = ch === '_' ? rightFlanking && (!leftFlanking || isPunctuation(after)) : rightFlanking;
    this.flushText();
    const length = end - start;
    // The cell and its delimiter point at each other: the cell is appended first, its value set just after.
    const cell = this.append(textNode(''));
    const delim: Delim = {
      kind: 'delim',
      ch,
      count: length,
      length,
      canOpen,
      canClose,
      cell,
      prevDelim: this.delimTop,
      nextDelim: null,
      index: this.delimCount++,
    };
    cell.value = delim;
    if (this.delimTop) this.delimTop.nextDelim = delim;
    this.delimTop = delim;
  }

  private lineBreak(): void {
    this.pushNode(BREAK);
    this.pos += 1;
  }

  private openBracket(image: boolean, length: number): void {
    this.flushText();
    const cell = this.append(textNode(image ? '![' : '['));
    this.brackets.push({ cell, image, active: true, delimBottom: this.delimTop });
    this.pos += length;
  }

  /** `]` closes the last `[` into a link when `(url)` follows and the URL is a web or mail address. */
  private closeBracket(): void {
    const opener = this.brackets[this.brackets.length - 1];
    const destination = opener?.active ? linkDestination(this.src, this.pos + 1) : null;
    if (!opener || !destination || !isSafeHref(destination.url)) {
      // Not a link (or one to `javascript:`, a relative path…): the brackets and what follows stay text.
      if (opener) this.brackets.pop();
      this.pushText(']');
      this.pos += 1;
      return;
    }
    this.flushText();
    this.processEmphasis(opener.delimBottom);
    const { nodes, depth } = this.extract(opener.cell, null);
    this.removeCell(opener.cell);
    const label = inLabel(nodes);
    const children = label.length > 0 ? label : [textNode(urlLabel(destination.url))];
    this.pushNode({ kind: 'link', href: destination.url, children }, depth + 1);
    this.brackets.pop();
    if (!opener.image) for (const earlier of this.brackets) if (!earlier.image) earlier.active = false;
    this.pos = destination.end;
  }

  /** `<https://…>` is a link; any other `<` is text (raw HTML is never passed through). */
  private autolink(): void {
    AUTOLINK.lastIndex = this.pos;
    const m = AUTOLINK.exec(this.src);
    if (m && isSafeHref(m[1])) {
      this.pushNode({ kind: 'link', href: m[1], children: [textNode(urlLabel(m[1]))] });
      this.pos += m[0].length;
    } else {
      this.pushText('<');
      this.pos += 1;
    }
  }

  /**
   * A bare `http(s)://` URL at the start of a word (GFM's extended autolinks): trailing punctuation and
   * an unbalanced `)` are the sentence's, not the URL's. False when there is none here.
   */
  private bareUrl(): boolean {
    const before = charBefore(this.src, this.pos);
    if (!(isWhitespace(before) || '*_~(\'"'.includes(before))) return false;
    BARE_URL.lastIndex = this.pos;
    const m = BARE_URL.exec(this.src);
    if (!m) return false;
    const url = trimUrl(m[0]);
    if (!isSafeHref(url)) return false;
    this.pushNode({ kind: 'link', href: url, children: [textNode(url)] });
    this.pos += url.length;
    return true;
  }

  /**
   * `@username` of a mapped user is a Teams mention; of a known but unmapped user, `@username` text.
   * Mattermost lets a name end in `.`, `-` or `_` but also strips them when no such user exists
   * (`@megan.` at the end of a sentence), so shorter names are tried too.
   */
  private mention(): void {
    USERNAME.lastIndex = this.pos + 1;
    const name = /[\p{L}\p{N}]/u.test(charBefore(this.src, this.pos)) ? undefined : USERNAME.exec(this.src)?.[0];
    if (name !== undefined && BROADCASTS.has(name.toLowerCase())) {
      this.pushText(`@${name}`);
      this.pos += 1 + name.length;
      return;
    }
    for (let candidate = name ?? ''; candidate !== ''; candidate = /[._-]$/.test(candidate) ? candidate.slice(0, -1) : '') {
      const user = this.ctx.user(candidate.toLowerCase());
      if (!user) continue;
      if (user.teams) this.pushNode({ kind: 'mention', user: user.teams, fallback: `@${candidate}` });
      else this.pushText(`@${candidate}`);
      this.pos += 1 + candidate.length;
      return;
    }
    // Nobody by that name (or an e-mail address): the `@` is text and the name is scanned as usual.
    this.pushText('@');
    this.pos += 1;
  }

  /**
   * `&lt;`, `&#60;`… read as the character they name (as in CommonMark; only the common names), which the
   * renderer escapes again: an entity can never smuggle in a tag.
   */
  private entity(): void {
    ENTITY.lastIndex = this.pos;
    const m = ENTITY.exec(this.src);
    if (!m) {
      this.pushText('&');
      this.pos += 1;
      return;
    }
    const code = m[2] !== undefined ? parseInt(m[2], 10) : m[3] !== undefined ? parseInt(m[3], 16) : null;
    const valid = code !== null && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
    this.pushText(m[1] !== undefined ? (NAMED_ENTITIES[m[1]] ?? m[0]) : valid ? String.fromCodePoint(code) : '\ufffd');
    this.pos += m[0].length;
  }

  private emoji(): void {
    const emoji = emojiAt(this.src, this.pos, this.ctx);
    this.pushText(emoji ? emoji.unicode : ':');
    this.pos += emoji ? emoji.length : 1;
  }

  // --- emphasis (CommonMark 0.31, "process emphasis"), limited to the delimiters above `bottom`

  private processEmphasis(bottom: Delim | null): void {
    const bottomIndex = bottom?.index ?? -1;
    const openersBottom = new Map<string, number>();
    let closer = this.firstDelimAbove(bottomIndex);
    while (closer) {
      if (!closer.canClose) {
        closer = closer.nextDelim;
        continue;
      }
      const key = `${closer.ch}${closer.canOpen ? 1 : 0}${closer.length % 3}`;
      const opener = this.findOpener(closer, Math.max(bottomIndex, openersBottom.get(key) ?? -1));
      if (opener) {
        closer = this.match(opener, closer);
        continue;
      }
      // No opener for this kind of closer below here: later ones of the same kind need not look again.
      openersBottom.set(key, closer.index - 1);
      const next = closer.nextDelim;
      if (!closer.canOpen) this.unlinkDelim(closer);
      closer = next;
    }
    while (this.delimTop && this.delimTop.index > bottomIndex) this.unlinkDelim(this.delimTop);
  }

  private firstDelimAbove(bottomIndex: number): Delim | null {
    let first: Delim | null = null;
    for (let d = this.delimTop; d && d.index > bottomIndex; d = d.prevDelim) first = d;
    return first;
  }

  private findOpener(closer: Delim, floor: number): Delim | null {
    for (let o = closer.prevDelim; o && o.index > floor; o = o.prevDelim) {
      if (o.ch !== closer.ch || !o.canOpen) continue;
      if (closer.ch === '~') return o;
      // The rule of three: `*foo**bar*` is one emphasis, not two.
      const oddMatch = (closer.canOpen || o.canClose) && closer.length % 3 !== 0 && (o.length + closer.length) % 3 === 0;
      if (!oddMatch) return o;
    }
    return null;
  }

  /** Wraps the cells between a matched pair; returns the closer to continue with. */
  private match(opener: Delim, closer: Delim): Delim | null {
    const strike = closer.ch === '~';
    const used = strike ? 2 : opener.count >= 2 && closer.count >= 2 ? 2 : 1;
    const tag: FormatTag = strike ? 's' : used === 2 ? 'b' : 'i';
    opener.count -= used;
    closer.count -= used;
    // Unmatched runs between the pair are plain text from now on.
    for (let d = closer.prevDelim; d && d !== opener;) {
      const prev: Delim | null = d.prevDelim;
      this.unlinkDelim(d);
      d = prev;
    }
    const depth = this.maxDepthBetween(opener.cell, closer.cell) + 1;
    if (depth <= MAX_NESTING) {
      const { nodes } = this.extract(opener.cell, closer.cell);
      this.insertAfter(opener.cell, { kind: 'format', tag, children: nodes }, depth);
    }
    if (opener.count === 0) {
      this.unlinkDelim(opener);
      this.removeCell(opener.cell);
    }
    if (closer.count > 0) return closer;
    const next = closer.nextDelim;
    this.unlinkDelim(closer);
    this.removeCell(closer.cell);
    return next;
  }

  private unlinkDelim(d: Delim): void {
    if (d.prevDelim) d.prevDelim.nextDelim = d.nextDelim;
    if (d.nextDelim) d.nextDelim.prevDelim = d.prevDelim;
    if (this.delimTop === d) this.delimTop = d.prevDelim;
    d.prevDelim = d.nextDelim = null;
  }
}

/**
 * The `(url "title")` after a link's `]`, starting at `(`: the URL (backslash escapes removed) and the
 * position after `)`, or null when there is none. The URL may be in `<…>` or bare with balanced parentheses
 * (`https://en.wikipedia.org/wiki/Foo_(bar)`).
 */
function linkDestination(src: string, open: number): { url: string; end: number } | null {
  if (src[open] !== '(') return null;
  let i = skipSpaces(src, open + 1);
  let url: string;
  if (src[i] === '<') {
    let close = i + 1;
    while (close < src.length && !'<>\n'.includes(src[close])) close++;
    if (src[close] !== '>') return null;
    url = src.slice(i + 1, close);
    i = close + 1;
  } else {
    const start = i;
    i = bareDestinationEnd(src, i);
    if (i < 0) return null;
    url = src.slice(start, i);
  }
  const afterUrl = i;
  i = skipSpaces(src, i);
  if (i > afterUrl && (src[i] === '"' || src[i] === "'" || src[i] === '(')) {
    const closeTitle = src.indexOf(src[i] === '(' ? ')' : src[i], i + 1);
    if (closeTitle < 0) return null;
    i = skipSpaces(src, closeTitle + 1);
  }
  if (src[i] !== ')') return null;
  return { url: url.replace(/\\([!-/:-@[-`{-~])/g, '$1'), end: i + 1 };
}

/** Parentheses nested deeper in a URL end the attempt (as in cmark): keeps hostile input linear. */
const MAX_URL_PARENS = 32;

/**
 * Where a bare link destination ends (white space, a control character or the unbalanced `)`), or -1
 * when its parentheses do not balance.
 */
function bareDestinationEnd(src: string, from: number): number {
  let depth = 0;
  let i = from;
  for (; i < src.length; i++) {
    const ch = src[i];
    if (ch === '\\' && ESCAPABLE.test(src[i + 1] ?? '')) i++;
    else if (ch === '(' && ++depth > MAX_URL_PARENS) return -1;
    else if (ch === ')' && depth === 0) break;
    else if (ch === ')') depth--;
    else if (ch.charCodeAt(0) <= 0x20 || ch === '\u007f' || /\s/u.test(ch)) break;
  }
  return depth === 0 ? i : -1;
}

function skipSpaces(src: string, i: number): number {
  while (i < src.length && /[ \t\n]/.test(src[i])) i++;
  return i;
}

/** A bare URL without the sentence's trailing punctuation and any unbalanced closing parentheses. */
function trimUrl(url: string): string {
  let end = url.length;
  const opens = (url.match(/\(/g) ?? []).length;
  let closes = (url.match(/\)/g) ?? []).length;
  for (;;) {
    const last = url[end - 1];
    if ('?!.,:;*_~\'"'.includes(last)) end--;
    else if (last === ')' && closes > opens) {
      end--;
      closes--;
    } else break;
  }
  return url.slice(0, end);
}
