/**
 * Slack mrkdwn (a message's `text` in an export) → Teams chatMessage HTML.
 *
 * mrkdwn is not Markdown: one `*` is bold, one `_` italic, one `~` strike; a marker opens only at a word
 * boundary and closes only before one, and never spans a line. Slack escapes exactly `&`, `<` and `>`
 * (`&amp;` `&lt;` `&gt;`), so every raw `<…>` in the text is Slack's own markup (links, mentions,
 * channels, `<!here>`, dates) and a `<` the author typed arrives as `&lt;`.
 *
 * The converter decodes those three entities into characters, parses, and hands a node tree to
 * `renderHtml`, which escapes all text again: `&lt;` stays `&lt;` in the HTML and nothing from the
 * source becomes a tag.
 */
import type { FormatTag, HtmlNode, Line } from './html';
import { emojiAt, isSafeHref, joinLines, renderHtml, textNode, urlLabel } from './html';
import type { RenderContext, RenderedText } from './teams-message';

/**
 * Converts Slack mrkdwn to Teams HTML: `<b>`, `<i>`, `<s>`, `<code>`, `<pre>`, `<blockquote>`, `<br>`,
 * `<a href>` (http, https, mailto only) and `<at id="n">` mentions of mapped users, with the matching
 * `mentions` entries.
 */
export function slackToHtml(text: string, ctx: RenderContext): RenderedText {
  const lines = splitLines(splitCodeBlocks(text.replace(/\r\n?/g, '\n')));
  return renderHtml(joinLines(groupQuotes(lines, ctx)));
}

/** A stretch of a line: mrkdwn text, or a code block (which Slack lets start mid-line and span lines). */
type Piece = { kind: 'text'; text: string } | { kind: 'pre'; text: string };
type SlackLine = Piece[];

const FENCE = '```';

/** Cuts out ```code blocks``` first: nothing inside one is formatting, and one may span many lines. */
function splitCodeBlocks(text: string): Piece[] {
  const pieces: Piece[] = [];
  let textStart = 0;
  let searchFrom = 0;
  for (;;) {
    const open = text.indexOf(FENCE, searchFrom);
    const close = open < 0 ? -1 : text.indexOf(FENCE, open + FENCE.length);
    if (close < 0) break;
    if (close === open + FENCE.length) {
      // Six backticks in a row hold nothing: Slack shows them as they are.
      searchFrom = close + FENCE.length;
      continue;
    }
    pieces.push({ kind: 'text', text: text.slice(textStart, open) });
    pieces.push({ kind: 'pre', text: trimFenceNewlines(text.slice(open + FENCE.length, close)) });
    textStart = searchFrom = close + FENCE.length;
  }
  pieces.push({ kind: 'text', text: text.slice(textStart) });
  return pieces.filter((p) => p.kind === 'pre' || p.text !== '');
}

/** Slack drops the line break written right after the opening fence and right before the closing one. */
function trimFenceNewlines(code: string): string {
  return code.replace(/^\n/, '').replace(/\n$/, '');
}

/** Splits the text pieces at line breaks; a code block stays whole, on the line it starts on. */
function splitLines(pieces: readonly Piece[]): SlackLine[] {
  const lines: SlackLine[] = [[]];
  for (const piece of pieces) {
    if (piece.kind === 'pre') {
      lines[lines.length - 1].push(piece);
      continue;
    }
    piece.text.split('\n').forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part !== '') lines[lines.length - 1].push({ kind: 'text', text: part });
    });
  }
  return lines;
}

// A quote line starts with `>` (in an export: `&gt;`); `>>>` quotes the rest of the message.
const QUOTE_LINE = /^(?:&gt;|>) ?/;
const QUOTE_REST = /^(?:&gt;|>){3}[ \t]*/;

/** Whether a line is quoted (one line, or the rest of the message), and the line without its marker. */
function quoteMarker(line: SlackLine): { quotes: 'none' | 'line' | 'rest'; rest: SlackLine } {
  const first = line[0];
  if (first?.kind !== 'text') return { quotes: 'none', rest: line };
  const toEnd = QUOTE_REST.exec(first.text);
  const marker = toEnd ?? QUOTE_LINE.exec(first.text);
  if (!marker) return { quotes: 'none', rest: line };
  const remaining = first.text.slice(marker[0].length);
  const rest: SlackLine = remaining === '' ? line.slice(1) : [{ kind: 'text', text: remaining }, ...line.slice(1)];
  return { quotes: toEnd ? 'rest' : 'line', rest };
}

/** Consecutive quote lines become one `<blockquote>`, their lines separated by `<br>` inside it. */
function groupQuotes(lines: readonly SlackLine[], ctx: RenderContext): Line[] {
  const out: Line[] = [];
  let quoted: Line[] = [];
  const flush = () => {
    if (quoted.length > 0) out.push({ kind: 'block', node: { kind: 'quote', children: joinLines(quoted) } });
    quoted = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const { quotes, rest } = quoteMarker(lines[i]);
    if (quotes === 'rest') {
      quoted.push(renderLine(rest, ctx));
      for (const line of lines.slice(i + 1)) quoted.push(renderLine(line, ctx));
      break;
    }
    if (quotes === 'line') {
      quoted.push(renderLine(rest, ctx));
      continue;
    }
    flush();
    out.push(renderLine(lines[i], ctx));
  }
  flush();
  return out;
}

/**
 * One line's nodes. A line holding nothing but a code block is a block of its own; otherwise the text
 * around code blocks is formatted stretch by stretch (a marker cannot reach across a code block).
 */
function renderLine(line: SlackLine, ctx: RenderContext): Line {
  const pres = line.filter((p) => p.kind === 'pre');
  if (pres.length === 1 && line.every((p) => p.kind === 'pre' || p.text.trim() === '')) {
    return { kind: 'block', node: { kind: 'pre', text: slackPlainText(pres[0].text, ctx) } };
  }
  const nodes: HtmlNode[] = [];
  for (const piece of line) {
    if (piece.kind === 'pre') nodes.push({ kind: 'pre', text: slackPlainText(piece.text, ctx) });
    else for (const node of formatAtoms(inlineAtoms(piece.text, ctx))) nodes.push(node);
  }
  return { kind: 'inline', nodes };
}

// ---------------------------------------------------------------------------------------------
// Inline: code spans, <…> markup and emoji become opaque atoms; the rest is decoded to characters,
// over which the formatting markers are matched.

/** A decoded character (a code point) of the text, or something already converted that markers treat as opaque. */
type Atom = { kind: 'char'; ch: string } | { kind: 'node'; node: HtmlNode };

const INLINE_TOKEN = /`([^`\n]+)`|<([^<>\n]*)>/g;
const SLACK_ENTITY = /&(amp|lt|gt);/g;
const DECODED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>' };

/** Decodes Slack's three escapes, in one pass (so `&amp;lt;` is the text `&lt;`, not `<`). */
function decodeSlack(text: string): string {
  return text.replace(SLACK_ENTITY, (_whole, name: string) => DECODED[name] ?? _whole);
}

function inlineAtoms(text: string, ctx: RenderContext): Atom[] {
  const atoms: Atom[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE_TOKEN)) {
    pushTextAtoms(atoms, decodeSlack(text.slice(last, m.index)), ctx);
    const node: HtmlNode = m[1] !== undefined ? { kind: 'code', text: slackPlainText(m[1], ctx) } : slackMarkup(m[2] ?? '', ctx).node;
    atoms.push({ kind: 'node', node });
    last = m.index + m[0].length;
  }
  pushTextAtoms(atoms, decodeSlack(text.slice(last)), ctx);
  return atoms;
}

/** Decoded text as character atoms, with known `:emoji:` as opaque atoms (so `_` in a short name is no marker). */
function pushTextAtoms(atoms: Atom[], text: string, ctx: RenderContext): void {
  let i = 0;
  while (i < text.length) {
    const emoji = text[i] === ':' ? emojiAt(text, i, ctx) : null;
    if (emoji) {
      atoms.push({ kind: 'node', node: textNode(emoji.unicode) });
      i += emoji.length;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i) ?? 0);
    atoms.push({ kind: 'char', ch });
    i += ch.length;
  }
}

/** Code contents: shown verbatim, except that Slack's own `<…>` markup reads as its text and escapes are decoded. */
function slackPlainText(code: string, ctx: RenderContext): string {
  return code.replace(/<([^<>\n]*)>|&(amp|lt|gt);/g, (whole, inner: string | undefined, entity: string | undefined) =>
    inner !== undefined ? slackMarkup(inner, ctx).text : (DECODED[entity ?? ''] ?? whole),
  );
}

const MARKERS: Readonly<Record<string, FormatTag>> = { '*': 'b', _: 'i', '~': 's' };

const isSpace = (atom: Atom | undefined) => atom === undefined || (atom.kind === 'char' && /\s/u.test(atom.ch));
const isWordChar = (atom: Atom | undefined) => atom?.kind === 'char' && /[\p{L}\p{N}]/u.test(atom.ch);
const isChar = (atom: Atom | undefined, ch: string) => atom?.kind === 'char' && atom.ch === ch;

/**
 * Slack's boundary rule for an opening marker: at the start of the line or after a non-word character
 * (so `snake_case` and `2*3*4` stay literal), and followed by something that is neither white space nor
 * the same marker.
 */
function canOpen(atoms: readonly Atom[], i: number, marker: string): boolean {
  const next = atoms[i + 1];
  return !isSpace(next) && !isChar(next, marker) && !isWordChar(atoms[i - 1]);
}

/** A closing marker follows something that is neither white space nor the same marker, and ends a word. */
function canClose(atoms: readonly Atom[], i: number, marker: string): boolean {
  const prev = atoms[i - 1];
  return i > 0 && !isSpace(prev) && !isChar(prev, marker) && !isWordChar(atoms[i + 1]);
}

/**
 * For each marker, the first position at or after each index where it may close (-1: none). Computed
 * once per line, so matching is linear however many markers a line holds.
 */
function closerTable(atoms: readonly Atom[]): Map<string, Int32Array> {
  const table = new Map<string, Int32Array>();
  for (const marker of Object.keys(MARKERS)) {
    const next = new Int32Array(atoms.length + 1).fill(-1);
    for (let i = atoms.length - 1; i >= 0; i--) next[i] = isChar(atoms[i], marker) && canClose(atoms, i, marker) ? i : next[i + 1];
    table.set(marker, next);
  }
  return table;
}

function formatAtoms(atoms: readonly Atom[]): HtmlNode[] {
  return formatRange(atoms, closerTable(atoms), 0, atoms.length);
}

/**
 * Nodes for atoms[from, to): a marker that may open pairs with the first marker of its kind that may
 * close, with something between them, inside the range; unpaired markers are text. Nesting stays
 * shallow: the same marker can never open again inside its own span (its first closer ends the span).
 */
function formatRange(atoms: readonly Atom[], closers: Map<string, Int32Array>, from: number, to: number): HtmlNode[] {
  const nodes: HtmlNode[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') nodes.push(textNode(text));
    text = '';
  };
  let i = from;
  while (i < to) {
    const atom = atoms[i];
    if (atom.kind === 'node') {
      flush();
      nodes.push(atom.node);
      i++;
      continue;
    }
    const tag = MARKERS[atom.ch];
    const close = tag !== undefined && canOpen(atoms, i, atom.ch) ? (closers.get(atom.ch)?.[i + 2] ?? -1) : -1;
    if (tag !== undefined && close >= 0 && close < to) {
      flush();
      nodes.push({ kind: 'format', tag, children: formatRange(atoms, closers, i + 1, close) });
      i = close + 1;
      continue;
    }
    text += atom.ch;
    i++;
  }
  flush();
  return nodes;
}

// ---------------------------------------------------------------------------------------------
// Slack's <…> markup.

/** A piece of `<…>` markup converted: the node to show, and its plain text (for inside code). */
interface Markup {
  node: HtmlNode;
  text: string;
}

const asText = (text: string): Markup => ({ node: textNode(text), text });

/** Converts the inside of `<…>`: `@U…` user, `#C…` channel, `!…` special, or a URL; `|label` optional. */
function slackMarkup(inner: string, ctx: RenderContext): Markup {
  const bar = inner.indexOf('|');
  const target = decodeSlack(bar < 0 ? inner : inner.slice(0, bar));
  // Exports write `<#C123|>` with an empty label: empty means "no label".
  const label = bar < 0 ? '' : decodeSlack(inner.slice(bar + 1));
  const raw = asText(`<${decodeSlack(inner)}>`);
  if (target.startsWith('@')) return userMarkup(target.slice(1), label, ctx);
  if (target.startsWith('#')) return asText(`#${label || ctx.channelName(target.slice(1)) || target.slice(1)}`);
  if (target.startsWith('!')) return specialMarkup(target.slice(1), label) ?? raw;
  if (isSafeHref(target)) {
    const shown = label || urlLabel(target);
    return { node: { kind: 'link', href: target, children: [textNode(shown)] }, text: shown };
  }
  // `javascript:`, relative or malformed URLs and anything unknown: shown as written, never a link.
  return raw;
}

/** A mapped user is a real Teams mention; anyone else is `@name` text (context name, label, else the id). */
function userMarkup(userId: string, label: string, ctx: RenderContext): Markup {
  const user = ctx.user(userId);
  const fallback = `@${user?.name || label || userId}`;
  if (user?.teams) return { node: { kind: 'mention', user: user.teams, fallback }, text: fallback };
  return asText(fallback);
}

const BROADCASTS = new Set(['here', 'channel', 'everyone']);

/** `<!here>` and friends, user groups and dates as text; null for anything else (shown as written). */
function specialMarkup(command: string, label: string): Markup | null {
  if (BROADCASTS.has(command)) return asText(`@${command}`);
  if (command.startsWith('subteam^')) {
    const name = label || command.slice('subteam^'.length);
    return asText(name.startsWith('@') ? name : `@${name}`);
  }
  if (command.startsWith('date^') && label !== '') return asText(label);
  return null;
}
