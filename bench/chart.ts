import type { Measure } from './measures';

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const COLORS = { met: '#2e7d32', missed: '#c62828', reported: '#607d8b' };

/**
 * A horizontal bar chart of every measure: the bar is the median of the paired repetitions, the whisker their
 * range, the dashed mark the target. Plain SVG, written by us, so the docs need no chart service.
 */
export function renderChart(measures: Measure[], subtitle: string): string {
  const rows = measures.filter((m) => Number.isFinite(m.value));
  const width = 820;
  const left = 130;
  const right = 150;
  const top = 58;
  const rowHeight = 30;
  const plotWidth = width - left - right;
  const height = top + rows.length * rowHeight + 40;
  const highest = Math.max(1.2, ...rows.flatMap((m) => [m.spread.max, m.value, m.target?.value ?? 0]));
  const xMax = Math.ceil(highest * 1.05 * 2) / 2;
  const x = (value: number): number => left + (Math.max(0, value) / xMax) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="22" font-size="15" font-weight="bold">Temporal HTTP front: ratios measured side by side</text>`,
    `<text x="${left}" y="40" fill="#555">${escape(subtitle)}</text>`,
  ];
  for (let tick = 0; tick <= xMax + 1e-9; tick += 0.5) {
    const at = x(tick);
    const stroke = Math.abs(tick - 1) < 1e-9 ? '#888' : '#e0e0e0';
    parts.push(`<line x1="${at}" y1="${top - 6}" x2="${at}" y2="${height - 30}" stroke="${stroke}"/>`);
    parts.push(`<text x="${at}" y="${height - 14}" text-anchor="middle" fill="#555">${tick.toFixed(1)}</text>`);
  }
  rows.forEach((m, index) => {
    const y = top + index * rowHeight;
    const color = m.met === null ? COLORS.reported : m.met ? COLORS.met : COLORS.missed;
    const label = m.unit === 'MB' ? `${m.id} (MB)` : m.id;
    parts.push(`<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escape(label)}</text>`);
    parts.push(
      `<rect x="${left}" y="${y + 4}" width="${x(m.value) - left}" height="16" fill="${color}" opacity="0.85"/>`,
    );
    if (m.spread.values.length > 1) {
      parts.push(
        `<line x1="${x(m.spread.min)}" y1="${y + 12}" x2="${x(m.spread.max)}" y2="${y + 12}" stroke="#111" stroke-width="1.5"/>`,
        `<line x1="${x(m.spread.min)}" y1="${y + 7}" x2="${x(m.spread.min)}" y2="${y + 17}" stroke="#111"/>`,
        `<line x1="${x(m.spread.max)}" y1="${y + 7}" x2="${x(m.spread.max)}" y2="${y + 17}" stroke="#111"/>`,
      );
    }
    if (m.target) {
      const at = x(m.target.value);
      parts.push(
        `<line x1="${at}" y1="${y}" x2="${at}" y2="${y + 24}" stroke="#000" stroke-width="2" stroke-dasharray="3,2"/>`,
      );
    }
    const target = m.target ? `  target ${m.target.op} ${m.target.value}` : '';
    const mark = m.met === null ? '' : m.met ? ' ✓' : ' ✗';
    parts.push(
      `<text x="${width - right + 8}" y="${y + 15}" fill="${color}">${m.value.toFixed(2)}${escape(target)}${mark}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
