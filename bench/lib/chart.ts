// The bench's chart: one horizontal bar per throughput row measured against raw ws, its ratio
// (higher is better) on a log scale, with a line at 1.0 (raw ws). Plain SVG text: no browser, no dependency.
import type { Row } from './report';

export interface ChartBar {
  label: string;
  ratio: number;
  /** Which group colours the bar: rxws, another peer (socket.io, ws without bufferutil), or the kernel's limit. */
  kind: 'rxws' | 'peer' | 'limit';
}

const COLOURS: Record<ChartBar['kind'], string> = { rxws: '#2f6fdf', peer: '#9a9a9a', limit: '#e0a030' };

/** The bars of a run: rows compared with raw ws whose unit is a rate (msgs/s, deliveries/s, handshakes/s). */
export function chartBars(rows: readonly Row[]): ChartBar[] {
  const bars: ChartBar[] = [];
  for (const row of rows) {
    if (row.raw?.variant !== 'raw' || !row.unit.endsWith('/s') || row.ratio === undefined || !Number.isFinite(row.ratio)) continue;
    const variant = row.rxws.variant;
    const kind = variant.startsWith('rxws') ? 'rxws' : variant.startsWith('net') ? 'limit' : 'peer';
    bars.push({ label: row.label, ratio: row.ratio, kind });
  }
  return bars;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The chart as an SVG document; `title` goes on top. */
export function renderChart(bars: readonly ChartBar[], title: string): string {
  const labelWidth = 720;
  const plotWidth = 420;
  const barHeight = 18;
  const gap = 6;
  const top = 48;
  const height = top + bars.length * (barHeight + gap) + 40;
  const width = labelWidth + plotWidth + 80;
  // A log scale (powers of two), so that 0.5× and 2× lie as far from raw ws, and a 30× bar
  // (the kernel's limit) leaves the others readable.
  const minRatio = 0.25;
  const maxRatio = 2 ** Math.max(1, Math.ceil(Math.log2(Math.max(1, ...bars.map((b) => b.ratio)))));
  const span = Math.log2(maxRatio / minRatio);
  const x = (ratio: number): number => labelWidth + (Math.log2(Math.min(maxRatio, Math.max(minRatio, ratio)) / minRatio) / span) * plotWidth;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (let tick = minRatio; tick <= maxRatio; tick *= 2) {
    const tx = x(tick).toFixed(1);
    out.push(`<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${height - 30}" stroke="${tick === 1 ? '#000000' : '#e4e4e4'}"/>`);
    out.push(`<text x="${tx}" y="${height - 14}" text-anchor="middle">${tick}×</text>`);
  }
  bars.forEach((bar, i) => {
    const y = top + i * (barHeight + gap);
    out.push(`<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end">${escapeXml(bar.label)}</text>`);
    out.push(`<rect x="${labelWidth}" y="${y}" width="${(x(bar.ratio) - labelWidth).toFixed(1)}" height="${barHeight}" fill="${COLOURS[bar.kind]}"/>`);
    out.push(`<text x="${(x(bar.ratio) + 4).toFixed(1)}" y="${y + 13}">${bar.ratio.toFixed(2)}</text>`);
  });
  out.push(`<text x="${labelWidth}" y="${top - 14}">ratio to raw ws in the same run, log scale (1× = raw ws; blue rxws, grey other peers (socket.io, ws without bufferutil), orange the kernel's limit)</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
