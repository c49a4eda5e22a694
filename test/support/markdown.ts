/**
 * How an Adaptive Card markdown string reads, for tests: what CommonMark (and so Teams) would turn
 * into formatting, and the text shown once backslash escapes are taken away. Enough of the subset
 * Teams renders in TextBlocks and facts (bold, italic, links, autolinks, code, strike-through,
 * lists, headings, quotes) to tell whether a name planted any of it.
 */

/** Each escaped ASCII punctuation character becomes a placeholder no pattern matches. */
function withoutEscapes(text: string): string {
  return text.replace(/\\[!-/:-@[-`{-~]/g, '\u0001');
}

/** The constructs an unescaped string would render, by name (empty when it reads as plain text). */
export function markdownFeatures(text: string): string[] {
  const t = withoutEscapes(text);
  const found: string[] = [];
  if (/\[[^\]]*\]\s*\(/.test(t)) found.push('link');
  if (/<[a-z][a-z0-9+.-]*:[^\s<>]*>/i.test(t) || /<[^\s<>@]+@[^\s<>]+>/.test(t)) found.push('autolink');
  if (/(\*\*|__)(?=\S)[\s\S]*?\S\1/.test(t)) found.push('bold');
  if (/(^|[^*\w])\*(?=\S)[^*]*\S?\*(?!\*)/.test(t) || /(^|\W)_(?=\S)[^_]*\S?_(?!\w)/.test(t)) found.push('italic');
  if (/`[^`]+`/.test(t)) found.push('code');
  if (/~~[^~]+~~/.test(t)) found.push('strike-through');
  if (/(^|\n)\s{0,3}([-+*]|\d{1,9}[.)])(\s|$)/.test(t)) found.push('list');
  if (/(^|\n)\s{0,3}(#{1,6}(\s|$)|>)/.test(t)) found.push('heading or quote');
  if (/\n/.test(t)) found.push('line break');
  return found;
}

/** The text a reader sees: backslash escapes of ASCII punctuation removed. */
export function shownText(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/** Every markdown property of a card (TextBlock text, fact titles and values), wherever it sits. */
export function markdownStrings(card: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown, inFacts: boolean) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, inFacts));
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === 'TextBlock' && typeof n.text === 'string') out.push(n.text);
    if (inFacts) for (const k of ['title', 'value']) if (typeof n[k] === 'string') out.push(n[k]);
    for (const [k, v] of Object.entries(n)) if (typeof v === 'object') walk(v, n.type === 'FactSet' && k === 'facts');
  };
  walk(card, false);
  return out;
}
