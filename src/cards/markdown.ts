/**
 * Turning text chosen by users (team, channel and chat names, topics, display names, anything read
 * from Graph or an activity) into Adaptive Card markdown that shows it literally.
 *
 * Teams renders a CommonMark subset in `TextBlock.text`, `Fact.title` and `Fact.value`: bold,
 * italic, links, lists, line breaks. CommonMark lets any ASCII punctuation be backslash-escaped,
 * and Teams desktop and web honour that. Some Teams mobile builds have shown the backslash itself
 * (AdaptiveCards #5590, #7474), so only characters that can start a construct are escaped: then a
 * name like "Sales - EMEA (C++)" reads the same everywhere, and where a backslash does show, the
 * text is still never formatted.
 */

/** Characters that open or close an inline construct anywhere: escapes, emphasis, links, code, strike-through, autolinks. */
const INLINE = /[\\*_[\]`~<]/g;
/** What makes a block only at the start of a line: headings, quotes, bullets, rules, setext underlines, numbered lists. */
const LINE_START = /^(\s*)(?:([#>+=-])|(\d{1,9})([.)]))/;
/** Runs of line breaks of every kind: a user's newline must not start a list or a paragraph in the card. */
// eslint-disable-next-line no-control-regex -- matching these control characters is the point
const LINE_BREAKS = /(?:\r\n|[\r\n\u000b\u000c\u0085\u2028\u2029])+/g;
/** Other control characters (tab is kept as a space). */
// eslint-disable-next-line no-control-regex -- matching these control characters is the point
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f]/g;

/** Any character one of the replacements below would touch (inline markers, line breaks, tab, controls). */
// eslint-disable-next-line no-control-regex -- matching these control characters is the point
const ANYTHING_TO_ESCAPE = /[\\*_[\]`~<\r\n\u000b\u000c\u0085\u2028\u2029\t\u0000-\u0008\u000e-\u001f\u007f]/;

/**
 * Escapes `text` so that Adaptive Card markdown renders it literally: each run of line breaks becomes a space,
 * control characters are dropped, inline markdown characters get a backslash, and a leading
 * list, heading or quote marker is escaped. Pure; idempotent only in the sense that escaping
 * twice shows the backslashes of the first pass.
 */
export function escapeMarkdown(text: string): string {
  // Most names need nothing: one test instead of five replacements (a card escapes ~15 strings per render).
  if (!ANYTHING_TO_ESCAPE.test(text) && !LINE_START.test(text)) return text;
  const flat = text.replace(LINE_BREAKS, ' ').replace(/\t/g, ' ').replace(CONTROLS, '');
  return flat
    .replace(INLINE, (c) => `\\${c}`)
    .replace(LINE_START, (_m, space: string, marker?: string, digits?: string, dot?: string) => (marker ? `${space}\\${marker}` : `${space}${digits}\\${dot}`));
}
