import { ExportRefused } from './export-reader';

/**
 * Export files must be UTF-8 text. A file in another encoding would otherwise import as mojibake,
 * silently: the decoder is fatal so the admin hears about it instead, with the byte where it failed.
 */

/**
 * Decodes UTF-8 bytes to text, dropping a leading byte-order mark. Invalid bytes throw
 * `ExportRefused` naming `what` (a file, or a file's line) and where the first bad sequence is: its
 * byte offset in the file, and its line and column. When `lineOffset` is given, `bytes` are one line
 * of a file starting at that byte offset (`what` then names the line), so only the column is added.
 */
export function decodeUtf8(bytes: Uint8Array, what: string, lineOffset?: number): string {
  // A fresh decoder per call: a fatal decoder that threw is not reused, and no state leaks between files.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return decoder.decode(bytes);
  } catch {
    const at = Math.max(0, firstInvalidUtf8(bytes));
    const lineStart = at === 0 ? 0 : bytes.lastIndexOf(0x0a, at - 1) + 1;
    // Everything before `at` is valid, so the column can be counted in decoded characters, like JSON columns.
    const column = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, at)).length + 1;
    const where =
      lineOffset === undefined
        ? `byte offset ${at}, line ${countNewlines(bytes, at) + 1}, column ${column}`
        : `byte offset ${lineOffset + at}, column ${column}`;
    throw new ExportRefused(
      `${what} is not UTF-8 text (${where}): re-export it from the source unchanged; if the file was edited, save it as UTF-8 and try again.`,
    );
  }
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let count = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < end; i = bytes.indexOf(0x0a, i + 1)) count += 1;
  return count;
}

/**
 * The offset of the first byte that does not start a well-formed UTF-8 sequence (overlong forms,
 * surrogates and code points past U+10FFFF are ill-formed, as for TextDecoder), or -1 when all are
 * well formed. Only run after the decoder refused, to say where.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const shape = sequenceShape(lead);
    if (!shape) return i;
    const [trailing, secondMin, secondMax] = shape;
    if (i + trailing >= bytes.length) return i;
    const second = bytes[i + 1];
    if (second < secondMin || second > secondMax) return i;
    for (let k = 2; k <= trailing; k += 1) {
      const next = bytes[i + k];
      if (next < 0x80 || next > 0xbf) return i;
    }
    i += trailing + 1;
  }
  return -1;
}

/** For a lead byte: how many continuation bytes follow and the range allowed for the first (Unicode table 3-7). */
function sequenceShape(lead: number): [number, number, number] | null {
  if (lead >= 0xc2 && lead <= 0xdf) return [1, 0x80, 0xbf];
  if (lead === 0xe0) return [2, 0xa0, 0xbf];
  if (lead === 0xed) return [2, 0x80, 0x9f];
  if (lead >= 0xe1 && lead <= 0xef) return [2, 0x80, 0xbf];
  if (lead === 0xf0) return [3, 0x90, 0xbf];
  if (lead >= 0xf1 && lead <= 0xf3) return [3, 0x80, 0xbf];
  if (lead === 0xf4) return [3, 0x80, 0x8f];
  return null;
}
