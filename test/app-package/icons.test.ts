import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { renderColorIcon, renderOutlineIcon, writeIcons } from '../../scripts/make-icons';
import { ROOT } from './project';

function readPng(file: string): PNG {
  return PNG.sync.read(fs.readFileSync(file));
}

/** Every pixel as [r, g, b, a]. */
function pixels(png: PNG): Array<[number, number, number, number]> {
  const out: Array<[number, number, number, number]> = [];
  for (let i = 0; i < png.data.length; i += 4) out.push([png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]]);
  return out;
}

/** Problems with an outline icon: Teams wants white on transparent, nothing else. */
function outlineProblems(png: PNG): string[] {
  const problems: string[] = [];
  if (png.width !== 32 || png.height !== 32) problems.push(`size ${png.width}×${png.height}, expected 32×32`);
  const px = pixels(png);
  const coloured = px.filter(([r, g, b, a]) => a > 0 && (r !== 255 || g !== 255 || b !== 255));
  if (coloured.length > 0) problems.push(`${coloured.length} visible pixels are not white`);
  if (!px.some(([, , , a]) => a === 0)) problems.push('no transparent background');
  if (!px.some(([, , , a]) => a === 255)) problems.push('no fully opaque white strokes');
  return problems;
}

describe('the app icons Teams shows for the bot', () => {
  const colorFile = path.join(ROOT, 'appPackage', 'color.png');
  const outlineFile = path.join(ROOT, 'appPackage', 'outline.png');

  it('has a 192×192 full-colour icon with no see-through pixels', () => {
    const png = readPng(colorFile);
    assert.equal(png.width, 192);
    assert.equal(png.height, 192);
    const px = pixels(png);
    assert.ok(
      px.every(([, , , a]) => a === 255),
      'every pixel opaque',
    );
    const colours = new Set(px.map(([r, g, b]) => `${r >> 4},${g >> 4},${b >> 4}`));
    assert.ok(colours.size > 8, `a designed icon, not a flat square (${colours.size} colour buckets)`);
  });

  it('has a 32×32 outline icon that is white on transparent only', () => {
    assert.deepEqual(outlineProblems(readPng(outlineFile)), []);
  });

  it('would reject an outline icon with a coloured pixel or an opaque background', () => {
    const tinted = readPng(outlineFile);
    const firstOpaque = pixels(tinted).findIndex(([, , , a]) => a === 255);
    tinted.data[firstOpaque * 4] = 0;
    assert.deepEqual(outlineProblems(tinted), ['1 visible pixels are not white']);

    const filled = readPng(outlineFile);
    for (let i = 3; i < filled.data.length; i += 4) filled.data[i] = 255;
    assert.ok(outlineProblems(filled).includes('no transparent background'));
  });

  it('commits exactly what scripts/make-icons draws, so the icons can be redrawn at any time', () => {
    assert.ok(readPng(colorFile).data.equals(renderColorIcon().data), 'color.png differs from the drawing');
    assert.ok(readPng(outlineFile).data.equals(renderOutlineIcon().data), 'outline.png differs from the drawing');
  });

  it('writes both icons where it is told to', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icons-'));
    try {
      const written = writeIcons(dir);
      assert.deepEqual(outlineProblems(readPng(written.outline)), []);
      assert.equal(readPng(written.color).width, 192);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
