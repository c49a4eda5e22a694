import { readFileSync } from 'node:fs';
import { isRecord, stringField, recordField, stringsField } from './json-guards';

/**
 * Emoji short names (Slack's and Mattermost's, both those of the emoji-datasource data set) to
 * Unicode. The data set is 1.3 MB of JSON, so it is read on first use, once, into a Map.
 */

interface EmojiRow {
  /** Code points as hex joined by `-` (emoji-datasource's `unified`). */
  unified: string;
  /** Skin-tone modifier code points (`1F3FC`, or `1F3FB-1F3FF` for two people) to the toned emoji's `unified`. */
  skins: Map<string, string>;
}

let table: Map<string, EmojiRow> | null = null;

/**
 * The Unicode emoji for a short name (`smile`, `+1`, `thumbsup`), with Slack's skin-tone suffix
 * honoured (`+1::skin-tone-3` is 👍🏼; a tone the emoji has no variation for gives the plain emoji).
 * Surrounding colons are allowed. Null for names the data set does not know (custom workspace emoji),
 * which callers keep as `:name:` text.
 */
export function emojiFor(shortName: string): string | null {
  const [base, ...modifiers] = shortName.replace(/^:|:$/g, '').split('::');
  const row = emojiTable().get(base);
  if (!row) return null;
  const tones = modifiers.map(skinToneCode).filter((code): code is string => code !== null);
  if (tones.length > 0) {
    // One tone for a two-person emoji means both people have it.
    const toned = row.skins.get(tones.join('-')) ?? (tones.length === 1 ? row.skins.get(`${tones[0]}-${tones[0]}`) : undefined);
    if (toned) return fromUnified(toned);
  }
  return fromUnified(row.unified);
}

/** `skin-tone-2` … `skin-tone-6` to the Fitzpatrick modifiers U+1F3FB … U+1F3FF. */
function skinToneCode(modifier: string): string | null {
  const match = /^skin-tone-([2-6])$/.exec(modifier);
  return match ? (0x1f3fb + Number(match[1]) - 2).toString(16).toUpperCase() : null;
}

function fromUnified(unified: string): string {
  return String.fromCodePoint(...unified.split('-').map((hex) => parseInt(hex, 16)));
}

function emojiTable(): Map<string, EmojiRow> {
  if (table) return table;
  const parsed: unknown = JSON.parse(readFileSync(require.resolve('emoji-datasource/emoji.json'), 'utf8'));
  const rows = new Map<string, EmojiRow>();
  for (const item of Array.isArray(parsed) ? parsed : []) {
    if (!isRecord(item)) continue;
    const unified = stringField(item, 'unified');
    if (!unified) continue;
    const skins = new Map<string, string>();
    for (const [tone, variation] of Object.entries(recordField(item, 'skin_variations') ?? {})) {
      const toned = isRecord(variation) ? stringField(variation, 'unified') : null;
      if (toned) skins.set(tone.toUpperCase(), toned);
    }
    const row = { unified, skins };
    for (const name of stringsField(item, 'short_names')) {
      // The first row to claim a name keeps it, as in Slack's own table.
      if (!rows.has(name)) rows.set(name, row);
    }
  }
  table = rows;
  return rows;
}
