/**
 * Draws the two Teams app icons of Teams Migration Bot with `pngjs` and writes them to `appPackage/`:
 *
 * - `color.png`, 192×192, full colour: a white chat bubble on an indigo field, holding a clock whose
 *   hand of time runs backwards (a counter-clockwise arrow) — "this conversation gets an earlier
 *   beginning", which is what `startMigration` with a creation date does.
 * - `outline.png`, 32×32, the same symbol in white on a transparent background, as Teams requires for
 *   the activity bar.
 *
 * Shapes are described as point-inside tests and rasterised with 6×6 supersampling, so edges are
 * anti-aliased without any drawing library. The output is deterministic: the test suite redraws the
 * icons and compares them pixel by pixel with the committed files.
 *
 * Run: `node dist/scripts/make-icons.js [outputDir]` (default: the project's `appPackage/`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';

/** The manifest's `accentColor`: the indigo of the colour icon's field. */
export const ACCENT_COLOR = '#4B53BC';

/** A point-inside test in pixel coordinates (y grows downwards). */
type Shape = (x: number, y: number) => boolean;

/** Straight (non-premultiplied) RGBA, each channel 0..255. */
type Rgba = readonly [number, number, number, number];

const SUPERSAMPLE = 6;

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** A rectangle from (x0, y0) to (x1, y1) with corners rounded by radius r. */
function roundedRect(x0: number, y0: number, x1: number, y1: number, r: number): Shape {
  return (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
}

/** A filled triangle (either winding). */
function triangle(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): Shape {
  const side = (px: number, py: number, qx: number, qy: number, x: number, y: number) => (qx - px) * (y - py) - (qy - py) * (x - px);
  return (x, y) => {
    const d1 = side(ax, ay, bx, by, x, y);
    const d2 = side(bx, by, cx, cy, x, y);
    const d3 = side(cx, cy, ax, ay, x, y);
    const hasNeg = d1 < 0 || d2 < 0 || d3 < 0;
    const hasPos = d1 > 0 || d2 > 0 || d3 > 0;
    return !(hasNeg && hasPos);
  };
}

/** A line segment of the given width with round caps. */
function segment(ax: number, ay: number, bx: number, by: number, width: number): Shape {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const r2 = (width / 2) ** 2;
  return (x, y) => {
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
    return (x - (ax + t * dx)) ** 2 + (y - (ay + t * dy)) ** 2 <= r2;
  };
}

/** Normalises an angle in degrees to [0, 360). */
function deg(a: number): number {
  return ((a % 360) + 360) % 360;
}

/**
 * A ring of radius r and stroke width w around (cx, cy), drawn everywhere except the gap that runs
 * clockwise (on screen) from `gapFrom` to `gapTo` degrees; 0° points right, 90° points down.
 */
function arc(cx: number, cy: number, r: number, w: number, gapFrom: number, gapTo: number): Shape {
  const span = deg(gapTo - gapFrom);
  return (x, y) => {
    const d = Math.hypot(x - cx, y - cy);
    if (Math.abs(d - r) > w / 2) return false;
    const a = deg((Math.atan2(y - cy, x - cx) * 180) / Math.PI);
    return deg(a - gapFrom) > span;
  };
}

function union(...shapes: Shape[]): Shape {
  return (x, y) => shapes.some((s) => s(x, y));
}

function minus(a: Shape, b: Shape): Shape {
  return (x, y) => a(x, y) && !b(x, y);
}

/**
 * The "clock turned back" symbol: an open ring whose gap sits on the left, an arrowhead at the upper
 * end of the gap pointing down (so the ring reads as turning counter-clockwise), and two clock hands.
 */
function clockBack(cx: number, cy: number, r: number, stroke: number, handStroke: number): Shape {
  const gapFrom = 150; // lower left …
  const gapTo = 205; // … to upper left, measured clockwise on screen
  const endAngle = (gapTo * Math.PI) / 180;
  const ex = cx + r * Math.cos(endAngle);
  const ey = cy + r * Math.sin(endAngle);
  // Direction of travel at the arrow end when the ring turns counter-clockwise on screen.
  const tx = Math.sin(endAngle);
  const ty = -Math.cos(endAngle);
  // Normal to the travel direction, for the arrowhead's base.
  const nx = -ty;
  const ny = tx;
  const half = stroke * 1.45;
  const length = stroke * 2.1;
  const back = stroke * 0.35;
  const head = triangle(
    ex - tx * back + nx * half,
    ey - ty * back + ny * half,
    ex - tx * back - nx * half,
    ey - ty * back - ny * half,
    ex + tx * length,
    ey + ty * length,
  );
  const hands = union(segment(cx, cy, cx, cy - r * 0.58, handStroke), segment(cx, cy, cx + r * 0.42, cy + r * 0.3, handStroke));
  return union(arc(cx, cy, r, stroke, gapFrom, gapTo), head, hands);
}

/** A speech bubble: a rounded rectangle with a tail under its lower-left corner. */
function bubble(x0: number, y0: number, x1: number, y1: number, r: number, tail: [number, number, number, number, number, number]): Shape {
  return union(roundedRect(x0, y0, x1, y1, r), triangle(...tail));
}

/** Fraction (0..1) of the pixel at (px, py) that lies inside the shape. */
function coverage(shape: Shape, px: number, py: number): number {
  let inside = 0;
  for (let i = 0; i < SUPERSAMPLE; i++) {
    for (let j = 0; j < SUPERSAMPLE; j++) {
      if (shape(px + (i + 0.5) / SUPERSAMPLE, py + (j + 0.5) / SUPERSAMPLE)) inside++;
    }
  }
  return inside / (SUPERSAMPLE * SUPERSAMPLE);
}

/** A layer paints `shape` with a colour that may vary with position (for gradients). */
interface Layer {
  shape: Shape;
  colour: (x: number, y: number) => Rgba;
}

/** Composites the layers bottom-up ("source over") onto a transparent canvas and returns the image. */
function render(size: number, layers: Layer[]): PNG {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (const layer of layers) {
        const cov = coverage(layer.shape, x, y);
        if (cov === 0) continue;
        const [lr, lg, lb, la] = layer.colour(x + 0.5, y + 0.5);
        const sa = (la / 255) * cov;
        const outA = sa + a * (1 - sa);
        if (outA === 0) continue;
        r = (lr * sa + r * a * (1 - sa)) / outA;
        g = (lg * sa + g * a * (1 - sa)) / outA;
        b = (lb * sa + b * a * (1 - sa)) / outA;
        a = outA;
      }
      const i = (y * size + x) * 4;
      png.data[i] = Math.round(r);
      png.data[i + 1] = Math.round(g);
      png.data[i + 2] = Math.round(b);
      png.data[i + 3] = Math.round(a * 255);
    }
  }
  return png;
}

/**
 * Draws the 192×192 full-colour icon: an indigo field (slightly lighter at the top), a soft shadow, a
 * white chat bubble and, inside it, the clock-turned-back symbol in the accent colour. Returns the
 * image; nothing is written.
 */
export function renderColorIcon(): PNG {
  const size = 192;
  const [ar, ag, ab] = hexToRgb(ACCENT_COLOR);
  const top: Rgba = [Math.min(255, ar + 34), Math.min(255, ag + 34), Math.min(255, ab + 30), 255];
  const bottom: Rgba = [Math.max(0, ar - 22), Math.max(0, ag - 22), Math.max(0, ab - 30), 255];
  const field: Layer = {
    shape: () => true,
    colour: (_x, y) => {
      const t = y / size;
      return [top[0] + (bottom[0] - top[0]) * t, top[1] + (bottom[1] - top[1]) * t, top[2] + (bottom[2] - top[2]) * t, 255];
    },
  };
  const speech = (dx: number, dy: number) => bubble(34 + dx, 38 + dy, 158 + dx, 134 + dy, 24, [58 + dx, 126 + dy, 96 + dx, 126 + dy, 48 + dx, 162 + dy]);
  const shadow: Layer = { shape: speech(3, 5), colour: () => [20, 22, 70, 70] };
  const paper: Layer = { shape: speech(0, 0), colour: () => [255, 255, 255, 255] };
  const symbol: Layer = { shape: clockBack(96, 86, 29, 8, 7), colour: () => [ar, ag, ab, 255] };
  return render(size, [field, shadow, paper, symbol]);
}

/**
 * Draws the 32×32 outline icon: the bubble as a white stroke with a filled tail and the
 * clock-turned-back symbol inside, white on transparent only. Returns the image; nothing is written.
 */
export function renderOutlineIcon(): PNG {
  const size = 32;
  const outer = roundedRect(2.5, 3, 29.5, 23.5, 5.5);
  const inner = roundedRect(4.6, 5.1, 27.4, 21.4, 3.6);
  const tail = triangle(6.5, 22, 13, 22, 5, 29);
  const outline = union(minus(outer, inner), tail);
  const symbol = clockBack(16, 13.25, 5.6, 1.8, 1.5);
  return render(size, [{ shape: union(outline, symbol), colour: () => [255, 255, 255, 255] }]);
}

/**
 * Draws both icons and writes them as `color.png` and `outline.png` into `outputDir` (created if
 * missing). Returns the two file paths.
 */
export function writeIcons(outputDir: string): { color: string; outline: string } {
  fs.mkdirSync(outputDir, { recursive: true });
  const color = path.join(outputDir, 'color.png');
  const outline = path.join(outputDir, 'outline.png');
  fs.writeFileSync(color, PNG.sync.write(renderColorIcon(), { colorType: 6 }));
  fs.writeFileSync(outline, PNG.sync.write(renderOutlineIcon(), { colorType: 6 }));
  return { color, outline };
}

if (require.main === module) {
  // Compiled to dist/scripts/, so the project root is two levels up.
  const target = process.argv[2] ? path.resolve(process.argv[2]) : path.resolve(__dirname, '..', '..', 'appPackage');
  const written = writeIcons(target);
  process.stdout.write(`Wrote ${written.color}\nWrote ${written.outline}\n`);
}
