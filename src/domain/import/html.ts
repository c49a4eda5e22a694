/**
 * The HTML both text converters (Slack mrkdwn, Mattermost markdown) produce, built from a small node
 * tree instead of strings: a converter can only say "bold", "link", "mention"…, and this module alone
 * writes tags. Every piece of source text reaches the output through `escapeHtml`, so no source text
 * can become a tag or an attribute, whatever a converter gets wrong in parsing.
 */
import type { ImportMention, RenderContext, RenderedText, TeamsIdentity } from './teams-message';

/** The inline formatting tags a converter may ask for. */
export type FormatTag = 'b' | 'i' | 's';

/** One piece of converted text. */
export type HtmlNode =
  /** Plain text, escaped on output. */
  | { kind: 'text'; text: string }
  | { kind: 'break' }
  | { kind: 'format'; tag: FormatTag; children: HtmlNode[] }
  /** An inline code span; its text shows verbatim. */
  | { kind: 'code'; text: string }
  /** A code block; its text (line breaks included) shows verbatim. */
  | { kind: 'pre'; text: string }
  | { kind: 'quote'; children: HtmlNode[] }
  /** A link; rendered as `<a>` only when `href` passes `isSafeHref`, else as its children alone. */
  | { kind: 'link'; href: string; children: HtmlNode[] }
  /** A Teams @mention of a tenant user; `fallback` is the text to show where a mention cannot go (a link label). */
  | { kind: 'mention'; user: TeamsIdentity; fallback: string };

/** A line of inline content, or a block (quote, code block) that starts and ends its own lines. */
export type Line = { kind: 'inline'; nodes: HtmlNode[] } | { kind: 'block'; node: HtmlNode };

/** A line break, `<br>`. */
export const BREAK: HtmlNode = { kind: 'break' };

/** Plain text, escaped when rendered. */
export function textNode(text: string): HtmlNode {
  return { kind: 'text', text };
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Escapes text for an element's content or a double-quoted attribute value: `&`, `<`, `>` and `"`
 * (the last so that the same function is safe in `href="…"`).
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => ENTITIES[ch] ?? ch);
}

// Only web and mail links: `javascript:`, `data:`, `file:`, relative links and anything with white space or
// invisible control/format characters (which browsers strip or which disguise a URL) stay text.
const SAFE_HREF = /^(?:https?:\/\/|mailto:)[^\s\p{Cc}\p{Cf}]+$/iu;

/** Whether a URL may become a link: `http:`, `https:` or `mailto:`, with no white space or control characters. */
export function isSafeHref(url: string): boolean {
  return SAFE_HREF.test(url);
}

/** How a URL reads when the source gives no label: as written, but a mail address without `mailto:`. */
export function urlLabel(url: string): string {
  return /^mailto:/i.test(url) ? url.slice('mailto:'.length) : url;
}

/**
 * What goes inside a link's label: no link inside a link (invalid HTML) and no mention (Teams cannot
 * click through both), so those become their text.
 */
export function inLabel(nodes: readonly HtmlNode[]): HtmlNode[] {
  const out: HtmlNode[] = [];
  for (const node of nodes) {
    if (node.kind === 'mention') out.push(textNode(node.fallback));
    else if (node.kind === 'link') for (const child of inLabel(node.children)) out.push(child);
    else if (node.kind === 'format') out.push({ ...node, children: inLabel(node.children) });
    else out.push(node);
  }
  return out;
}

const EMOJI_AT = /:([a-z0-9_+-]+):(?::(skin-tone-[2-6]):)?/iy;

/**
 * The emoji short code starting at `pos` (`:smile:`, `:+1::skin-tone-3:`) when the context knows it: its
 * Unicode and how many characters it spans. A skin tone the table lacks falls back to the plain emoji
 * (a yellow thumb reads better than a short code). Null for a custom or unknown emoji, which then stays
 * as text.
 */
export function emojiAt(text: string, pos: number, ctx: RenderContext): { unicode: string; length: number } | null {
  EMOJI_AT.lastIndex = pos;
  const m = EMOJI_AT.exec(text);
  if (!m) return null;
  const name = m[1];
  const toned = m[2] === undefined ? null : ctx.emoji(`${name}::${m[2]}`);
  const unicode = toned ?? ctx.emoji(name);
  return unicode === null ? null : { unicode, length: m[0].length };
}

/**
 * Lines as one run of nodes: `<br>` between two inline lines; a block needs none, since it starts
 * and ends its own line (a `<br>` next to it would show as an extra empty line).
 */
export function joinLines(lines: readonly Line[]): HtmlNode[] {
  const out: HtmlNode[] = [];
  lines.forEach((line, i) => {
    if (line.kind === 'block') {
      out.push(line.node);
      return;
    }
    if (i > 0 && lines[i - 1].kind === 'inline') out.push(BREAK);
    for (const node of line.nodes) out.push(node);
  });
  return out;
}

/**
 * Writes the HTML of a node tree and the `mentions` it uses: each mention gets the next id (0, 1, …)
 * in document order, so ids and `<at id="n">` always agree (spec §9), and a user mentioned twice has
 * two entries, as Teams itself sends them.
 */
export function renderHtml(nodes: readonly HtmlNode[]): RenderedText {
  const mentions: ImportMention[] = [];
  return { html: renderAll(nodes, mentions), mentions };
}

function renderAll(nodes: readonly HtmlNode[], mentions: ImportMention[]): string {
  let html = '';
  for (const node of nodes) html += renderNode(node, mentions);
  return html;
}

function renderNode(node: HtmlNode, mentions: ImportMention[]): string {
  switch (node.kind) {
    case 'text':
      return escapeHtml(node.text);
    case 'break':
      return '<br>';
    case 'format':
      return `<${node.tag}>${renderAll(node.children, mentions)}</${node.tag}>`;
    case 'code':
      return `<code>${escapeHtml(node.text)}</code>`;
    case 'pre':
      return `<pre>${escapeHtml(node.text)}</pre>`;
    case 'quote':
      return `<blockquote>${renderAll(node.children, mentions)}</blockquote>`;
    case 'link':
      // Checked again here, not only by the parsers: this is the one place an attribute is written.
      if (!isSafeHref(node.href)) return renderAll(node.children, mentions);
      return `<a href="${escapeHtml(node.href)}">${renderAll(inLabel(node.children), mentions)}</a>`;
    case 'mention':
      return renderMention(node.user, mentions);
  }
}

function renderMention(user: TeamsIdentity, mentions: ImportMention[]): string {
  const id = mentions.length;
  mentions.push({
    id,
    mentionText: user.displayName,
    mentioned: { user: { id: user.id, displayName: user.displayName, userIdentityType: 'aadUser' } },
  });
  return `<at id="${id}">${escapeHtml(user.displayName)}</at>`;
}
