import * as fs from 'node:fs';
import * as path from 'node:path';
import PDFDocument from 'pdfkit';
import { formatInZone } from '../domain/zoned-time';
import {
  bucketLine,
  checkInText,
  deliveryLines,
  escalationSummary,
  hoursSummary,
  marginText,
  periodText,
  renewalText,
  slaHeader,
  slaRow,
  topProductsText,
} from '../domain/review-text';
import type { ServiceReview } from '../domain/service-review';

/** `fonts/` at the project root (DejaVu Sans, shipped with the app), found from src/ or dist/. */
export function findFontsDirectory(start: string = __dirname): string {
  let current = start;
  for (;;) {
    const candidate = path.join(current, 'fonts');
    if (fs.existsSync(path.join(current, 'package.json')) && fs.existsSync(path.join(candidate, 'DejaVuSans.ttf'))) return candidate;
    const parent = path.dirname(current);
    if (parent === current) throw new Error(`cannot find the fonts/ folder above ${start}`);
    current = parent;
  }
}

const colours = { text: '#1f2328', subtle: '#59636e', accent: '#3b5ba5', good: '#2e7d32', attention: '#c62828', warning: '#b26a00', track: '#e6e8eb' } as const;

/** The fonts, read once: every PDF embeds the subset it uses. */
export class ReviewPdfRenderer {
  private readonly regular: Buffer;
  private readonly bold: Buffer;

  constructor(fontsDirectory: string = findFontsDirectory()) {
    this.regular = fs.readFileSync(path.join(fontsDirectory, 'DejaVuSans.ttf'));
    this.bold = fs.readFileSync(path.join(fontsDirectory, 'DejaVuSans-Bold.ttf'));
  }

  /**
   * The review as a PDF: the same figures as the card, with its charts drawn (opened and resolved
   * by severity, deadlines met and missed, hours by bucket), in DejaVu Sans so names in Cyrillic,
   * Greek, Hebrew and the other scripts it covers print as written.
   */
  render(review: ServiceReview, options: { readonly providerView: boolean }): Promise<Buffer> {
    const asOf = new Date(review.asOf);
    const doc = new PDFDocument({
      size: 'A4',
      margin: 50,
      info: { Title: `Service review ${review.monthLabel}: ${review.accountName}`, Author: 'TAM Assistant', CreationDate: asOf, ModDate: asOf },
    });
    const chunks: Buffer[] = [];
    const done = new Promise<Buffer>((resolve, reject) => {
      doc.on('data', (chunk: Buffer) => chunks.push(chunk));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
    });
    doc.registerFont('regular', this.regular);
    doc.registerFont('bold', this.bold);
    new Layout(doc, review, options.providerView).draw();
    doc.end();
    return done;
  }
}

class Layout {
  private readonly left: number;
  private readonly width: number;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly review: ServiceReview,
    private readonly providerView: boolean,
  ) {
    this.left = doc.page.margins.left;
    this.width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  }

  draw(): void {
    const { doc, review } = this;
    doc.font('bold').fontSize(20).fillColor(colours.text).text(`Service review · ${review.monthLabel}`);
    doc.font('bold').fontSize(14).text(review.accountName);
    this.subtle(`${periodText(review)} · ${this.providerView ? 'TAM and manager view, with the month\'s margin' : 'Customer view'}`);

    this.heading('Escalations');
    this.line(escalationSummary(review));
    this.openedResolvedChart();
    this.slaTable();
    this.deadlinesChart();
    this.line(topProductsText(review));

    this.heading('Hours');
    this.line(hoursSummary(review));
    this.hoursChart();
    for (const b of review.hours?.buckets ?? []) this.line(bucketLine(b), b.verdict === 'over-consuming' ? colours.attention : b.verdict === 'under-using' ? colours.warning : colours.text);

    this.heading('Delivery and check-ins');
    for (const d of deliveryLines(review)) this.labelled(d.label, d.text);
    this.line(checkInText(review));
    this.line(renewalText(review));

    this.list('Highlights', review.highlights, colours.good);
    this.list('Risks', review.risks, colours.attention);
    if (this.providerView && review.internal) {
      this.heading('For TAMs and managers only');
      this.line(marginText(review.internal.margin));
      for (const risk of review.internal.risks) this.line(`• ${risk}`, colours.attention);
    }
    if (review.notes.length > 0) {
      doc.moveDown(0.6);
      for (const note of review.notes) this.subtle(note);
    }
    doc.moveDown(0.8);
    this.subtle(`Made by TAM Assistant on ${formatInZone(new Date(review.asOf), review.timeZone, { year: true })}. Times and months in ${review.timeZone}.`);
  }

  private room(height: number): void {
    const bottom = this.doc.page.height - this.doc.page.margins.bottom;
    if (this.doc.y + height > bottom) this.doc.addPage();
  }

  private heading(text: string): void {
    this.room(60);
    this.doc.moveDown(0.8).font('bold').fontSize(13).fillColor(colours.accent).text(text, this.left);
    this.doc.moveDown(0.2);
  }

  private line(text: string, colour: string = colours.text): void {
    this.doc.font('regular').fontSize(10).fillColor(colour).text(text, this.left, undefined, { width: this.width });
  }

  private subtle(text: string): void {
    this.doc.font('regular').fontSize(9).fillColor(colours.subtle).text(text, this.left, undefined, { width: this.width });
  }

  private labelled(label: string, text: string): void {
    this.doc.font('bold').fontSize(10).fillColor(colours.text).text(`${label}: `, this.left, undefined, { continued: true, width: this.width });
    this.doc.font('regular').text(text);
  }

  private list(title: string, items: readonly string[], colour: string): void {
    if (items.length === 0) return;
    this.room(40);
    this.doc.moveDown(0.6).font('bold').fontSize(11).fillColor(colour).text(title, this.left);
    for (const item of items) this.line(`• ${item}`);
  }

  /** Grouped columns: opened and resolved per severity. */
  private openedResolvedChart(): void {
    const { doc } = this;
    const rows = this.review.escalations.bySeverity;
    const largest = Math.max(1, ...rows.flatMap((s) => [s.opened, s.resolved]));
    const height = 90;
    this.room(height + 40);
    const top = doc.y + 8;
    const groupWidth = 90;
    for (const [i, s] of rows.entries()) {
      const x = this.left + 30 + i * groupWidth;
      for (const [j, value] of [s.opened, s.resolved].entries()) {
        const h = (value / largest) * height;
        doc.rect(x + j * 26, top + height - h, 22, Math.max(h, 0.5)).fill(j === 0 ? colours.accent : colours.good);
        doc.font('regular').fontSize(8).fillColor(colours.text).text(String(value), x + j * 26, top + height - h - 11, { width: 22, align: 'center' });
      }
      doc.font('regular').fontSize(9).fillColor(colours.text).text(`Severity ${s.severity}`, x - 10, top + height + 4, { width: 70, align: 'center' });
    }
    const legendX = this.left + 30 + rows.length * groupWidth + 10;
    doc.rect(legendX, top + 10, 10, 10).fill(colours.accent);
    doc.font('regular').fontSize(9).fillColor(colours.text).text('Opened', legendX + 14, top + 10);
    doc.rect(legendX, top + 28, 10, 10).fill(colours.good);
    doc.fillColor(colours.text).text('Resolved', legendX + 14, top + 28);
    doc.x = this.left;
    doc.y = top + height + 22;
  }

  private slaTable(): void {
    const { doc } = this;
    const widths = [0.14, 0.22, 0.22, 0.24, 0.18].map((w) => w * this.width);
    const rows = [[...slaHeader], ...[...this.review.escalations.bySeverity, this.review.escalations.total].map((f) => [...slaRow(f)])];
    this.room(rows.length * 16 + 10);
    for (const [r, row] of rows.entries()) {
      const y = doc.y;
      let x = this.left;
      let tallest = 0;
      for (const [c, cell] of row.entries()) {
        doc.font(r === 0 || c === 0 ? 'bold' : 'regular').fontSize(9).fillColor(colours.text);
        const w = widths[c] ?? 60;
        doc.text(cell, x, y, { width: w - 6 });
        tallest = Math.max(tallest, doc.y - y);
        x += w;
      }
      doc.x = this.left;
      doc.y = y + tallest + 3;
    }
    doc.moveDown(0.3);
  }

  /** A donut of the month's SLA deadlines, met against missed. */
  private deadlinesChart(): void {
    const { doc } = this;
    const t = this.review.escalations.total;
    const met = t.response.met + t.update.met;
    const due = t.response.due + t.update.due;
    if (due === 0) return;
    this.room(90);
    const top = doc.y + 4;
    const cx = this.left + 40;
    const cy = top + 36;
    const r = 32;
    const start = -Math.PI / 2;
    const split = start + (met / due) * 2 * Math.PI;
    const slice = (from: number, to: number, colour: string): void => {
      if (to - from <= 0) return;
      if (to - from >= 2 * Math.PI - 1e-9) {
        doc.circle(cx, cy, r).fill(colour);
        return;
      }
      const large = to - from > Math.PI ? 1 : 0;
      const [x1, y1, x2, y2] = [cx + r * Math.cos(from), cy + r * Math.sin(from), cx + r * Math.cos(to), cy + r * Math.sin(to)];
      doc.path(`M ${cx} ${cy} L ${x1} ${y1} A ${r} ${r} 0 ${large} 1 ${x2} ${y2} Z`).fill(colour);
    };
    slice(start, split, colours.good);
    slice(split, start + 2 * Math.PI, colours.attention);
    doc.circle(cx, cy, r * 0.55).fill('#ffffff');
    doc.font('bold').fontSize(10).fillColor(colours.text).text(`${Math.round((met / due) * 100)}%`, cx - 20, cy - 6, { width: 40, align: 'center' });
    doc.font('regular').fontSize(10).text(`SLA deadlines: ${met} of ${due} met (response ${t.response.met} of ${t.response.due}, update ${t.update.met} of ${t.update.due})`, cx + r + 16, cy - 6, {
      width: this.width - 2 * r - 40,
    });
    doc.x = this.left;
    doc.y = top + 2 * r + 14;
  }

  /** Horizontal bars: each bucket's hours to date against purchased, and this month's share of them. */
  private hoursChart(): void {
    const { doc } = this;
    const buckets = this.review.hours?.buckets ?? [];
    if (buckets.length === 0) return;
    this.room(buckets.length * 22 + 20);
    const labelWidth = 90;
    const barWidth = this.width - labelWidth - 10;
    const top = doc.y + 6;
    for (const [i, b] of buckets.entries()) {
      const y = top + i * 22;
      const scale = Math.max(b.purchasedHours, b.usedToDate, 1);
      doc.font('regular').fontSize(9).fillColor(colours.text).text(b.name, this.left, y + 2, { width: labelWidth - 6 });
      const x = this.left + labelWidth;
      doc.rect(x, y, barWidth * Math.min(1, b.purchasedHours / scale), 14).fill(colours.track);
      doc.rect(x, y, barWidth * Math.min(1, b.usedToDate / scale), 14).fill(b.verdict === 'over-consuming' ? colours.attention : colours.accent);
      doc.rect(x + barWidth * Math.min(1, Math.max(0, b.usedToDate - b.usedInMonth) / scale), y, barWidth * Math.min(1, Math.max(0, b.usedInMonth) / scale), 14).fill(colours.warning);
    }
    const legendY = top + buckets.length * 22 + 2;
    doc.rect(this.left + labelWidth, legendY, 10, 8).fill(colours.accent);
    doc.font('regular').fontSize(8).fillColor(colours.subtle).text('used before this month', this.left + labelWidth + 14, legendY - 1);
    doc.rect(this.left + labelWidth + 130, legendY, 10, 8).fill(colours.warning);
    doc.fillColor(colours.subtle).text('used this month', this.left + labelWidth + 144, legendY - 1);
    doc.rect(this.left + labelWidth + 240, legendY, 10, 8).fill(colours.track);
    doc.fillColor(colours.subtle).text('purchased', this.left + labelWidth + 254, legendY - 1);
    doc.x = this.left;
    doc.y = legendY + 14;
  }
}
