/**
 * Splits a byte stream into lines, keeping each line's byte offset in the stream, which a text
 * line reader (node:readline) cannot give: the Mattermost reader records where each post's line
 * starts so it can read it again later with one positioned read. Splitting on the byte 0x0A is safe
 * in UTF-8 (no multi-byte sequence contains it); each line is decoded on its own afterwards.
 */

/** One line: its bytes without the line break (a trailing `\r` removed too), where it starts, its 1-based number. */
export interface ByteLine {
  bytes: Buffer;
  offset: number;
  lineNumber: number;
}

/** The lines of `chunks`, in order; the last line needs no line break. Holds one line in memory at a time. */
export async function* byteLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<ByteLine> {
  let pending: Buffer[] = [];
  let pendingStart = 0;
  let position = 0;
  let lineNumber = 0;
  for await (const chunk of chunks) {
    let from = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, from)) {
      pending.push(chunk.subarray(from, newline));
      lineNumber += 1;
      yield { bytes: withoutCarriageReturn(Buffer.concat(pending)), offset: pendingStart, lineNumber };
      pending = [];
      from = newline + 1;
      pendingStart = position + from;
    }
    if (from < chunk.length) pending.push(chunk.subarray(from));
    position += chunk.length;
  }
  if (pending.length > 0) {
    lineNumber += 1;
    yield { bytes: withoutCarriageReturn(Buffer.concat(pending)), offset: pendingStart, lineNumber };
  }
}

function withoutCarriageReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
}
