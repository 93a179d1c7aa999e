/**
 * Draws the app icons into manifest/: color.png (192x192, full-bleed accent colour with a white
 * mark) and outline.png (32x32, white mark on transparent), as Teams requires.
 * Run with `npx tsx scripts/make-icons.ts` after changing the mark.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodePng } from './png';

type Shape = (x: number, y: number) => boolean;

/** The mark in a unit square: a speech bubble holding a check mark. */
function mark(strokeWidth: number): Shape {
  const bubble = roundedRectOutline(0.14, 0.16, 0.86, 0.7, 0.12, strokeWidth);
  const tail = segment(0.3, 0.7, 0.27, 0.88, strokeWidth);
  const tail2 = segment(0.27, 0.88, 0.47, 0.7, strokeWidth);
  const check1 = segment(0.33, 0.44, 0.45, 0.56, strokeWidth * 1.1);
  const check2 = segment(0.45, 0.56, 0.68, 0.32, strokeWidth * 1.1);
  return (x, y) => bubble(x, y) || tail(x, y) || tail2(x, y) || check1(x, y) || check2(x, y);
}

function segment(x1: number, y1: number, x2: number, y2: number, width: number): Shape {
  return (x, y) => {
    const dx = x2 - x1;
    const dy = y2 - y1;
    const t = Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)));
    const px = x1 + t * dx - x;
    const py = y1 + t * dy - y;
    return Math.sqrt(px * px + py * py) <= width / 2;
  };
}

function roundedRectDistance(x: number, y: number, x1: number, y1: number, x2: number, y2: number, r: number): number {
  const cx = Math.max(x1 + r, Math.min(x2 - r, x));
  const cy = Math.max(y1 + r, Math.min(y2 - r, y));
  const inside = x >= x1 && x <= x2 && y >= y1 && y <= y2;
  const d = Math.hypot(x - cx, y - cy) - r;
  if (!inside) return Math.max(d, 0);
  const edge = Math.min(x - x1, x2 - x, y - y1, y2 - y);
  return Math.hypot(x - cx, y - cy) > r ? d : -edge;
}

function roundedRectOutline(x1: number, y1: number, x2: number, y2: number, r: number, width: number): Shape {
  return (x, y) => Math.abs(roundedRectDistance(x, y, x1, y1, x2, y2, r)) <= width / 2;
}

function render(size: number, samples: number, pixel: (x: number, y: number) => [number, number, number, number]): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const [r, g, b, a] = pixel((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          acc[0] = (acc[0] ?? 0) + r * a;
          acc[1] = (acc[1] ?? 0) + g * a;
          acc[2] = (acc[2] ?? 0) + b * a;
          acc[3] = (acc[3] ?? 0) + a;
        }
      }
      const alpha = (acc[3] ?? 0) / (samples * samples);
      const i = (py * size + px) * 4;
      out[i] = alpha > 0 ? Math.round((acc[0] ?? 0) / (acc[3] ?? 1)) : 0;
      out[i + 1] = alpha > 0 ? Math.round((acc[1] ?? 0) / (acc[3] ?? 1)) : 0;
      out[i + 2] = alpha > 0 ? Math.round((acc[2] ?? 0) / (acc[3] ?? 1)) : 0;
      out[i + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

const accent: [number, number, number] = [0x1f, 0x5a, 0xa6];

export function drawIcons(directory: string): void {
  const colorMark = mark(0.075);
  const color = render(192, 4, (x, y) => {
    // Teams draws the colour icon on its own rounded tile: fill the whole square.
    const inMark = colorMark((x - 0.14) / 0.72, (y - 0.12) / 0.72);
    return inMark ? [255, 255, 255, 1] : [accent[0], accent[1], accent[2], 1];
  });
  const outlineMark = mark(0.09);
  const outline = render(32, 4, (x, y) => (outlineMark(x, y) ? [255, 255, 255, 1] : [0, 0, 0, 0]));
  fs.writeFileSync(path.join(directory, 'color.png'), encodePng(192, 192, color));
  fs.writeFileSync(path.join(directory, 'outline.png'), encodePng(32, 32, outline));
}

if (require.main === module) {
  drawIcons(path.join(__dirname, '..', 'manifest'));
}
