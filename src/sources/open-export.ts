import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { DEFAULT_ARCHIVE_LIMITS, ExportRefused, type ArchiveLimits, type ExportReader } from './export-reader';
import { jsonlEntriesOf, MattermostExportReader } from './mattermost-export';
import { SlackExportReader, slackRootOf } from './slack-export';
import { ZipArchive } from './zip-archive';

export interface OpenExportOptions {
  /** Caps on the archive (default: DEFAULT_ARCHIVE_LIMITS). */
  limits?: ArchiveLimits;
  /** Where a zipped Mattermost JSONL is copied for reading (default: the system's temporary folder). */
  workDir?: string;
  /** The file's name as the admin knows it, for messages (default: the path's file name). */
  label?: string;
}

/**
 * Opens an export file, whatever its source: a zip with `users.json`/`channels.json` is a Slack
 * export; a `.jsonl` file (or a file starting with Mattermost's version line), or a zip holding a
 * `.jsonl`, is a Mattermost bulk export. The format is told from the content, not trusted from the
 * name. Anything else, and any archive the limits refuse, throws `ExportRefused`. The caller closes
 * the reader.
 */
export async function openExport(path: string, options: OpenExportOptions = {}): Promise<ExportReader> {
  const limits = options.limits ?? DEFAULT_ARCHIVE_LIMITS;
  const label = options.label ?? basename(path);
  const head = await readHead(path, 256);
  if (isZip(head)) {
    const archive = await ZipArchive.open(path, limits, label);
    if (slackRootOf(archive.names) !== null) return SlackExportReader.fromArchive(archive);
    if (jsonlEntriesOf(archive.names).length > 0) return MattermostExportReader.fromArchive(archive, options.workDir);
    await archive.close();
    throw neither(label);
  }
  if (label.toLowerCase().endsWith('.jsonl') || startsWithVersionLine(head)) return MattermostExportReader.fromJsonlFile(path, limits, label);
  throw neither(label);
}

/** The SHA-256 of a file's bytes, hex, read as a stream (exports are gigabytes): the identity of an import job's input. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function readHead(path: string, size: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(size);
    const { bytesRead } = await file.read(buffer, 0, size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** A zip starts with a local file header (`PK\x03\x04`), or is empty (`PK\x05\x06`, end of central directory). */
function isZip(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

function startsWithVersionLine(head: Buffer): boolean {
  return /^(\uFEFF)?\s*\{\s*"type"\s*:\s*"version"/.test(head.toString('utf8'));
}

function neither(label: string): ExportRefused {
  return new ExportRefused(
    `this file (${label}) is neither a Slack export zip (users.json, channels.json) nor a Mattermost bulk export (.jsonl): send the zip Slack's workspace export produced, or the .jsonl or zip that Mattermost's mmctl export create produced, unchanged.`,
  );
}
