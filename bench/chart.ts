import type { Measure } from './measures';

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const COLORS = { met: '#2e7d32', missed: '#c62828', reported: '#607d8b' };
const TICKS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];

/** Absolute figures (MB, ms) are drawn as a share of their budget, so that every bar reads against 1. */
function asRatio(m: Measure): Measure & { label: string } {
  if (m.unit === 'ratio' || !m.target) return { ...m, label: m.id };
  const per = m.target.value;
  const scale = (value: number): number => value / per;
  return {
    ...m,
    label: `${m.id} (÷ ${per} ${m.unit})`,
    value: scale(m.value),
    spread: { ...m.spread, min: scale(m.spread.min), max: scale(m.spread.max), values: m.spread.values.map(scale) },
    target: { ...m.target, value: 1 },
  };
}

/**
 * A bar chart of every measure on a log scale around 1 (ratios of 0.5 and 2 sit equally far from parity): the bar
 * runs from 1 to the median of the paired repetitions, the whisker spans their range, the dashed mark is the target.
 * Plain SVG written by us, so the docs need no chart service.
 */
export function renderChart(measures: Measure[], subtitle: string): string {
  const rows = measures
    .filter((m) => Number.isFinite(m.value) && m.value > 0 && (m.unit === 'ratio' || m.target))
    .map(asRatio);
  const width = 860;
  const left = 130;
  const right = 190;
  const top = 58;
  const rowHeight = 30;
  const plotWidth = width - left - right;
  const height = top + rows.length * rowHeight + 56;
  const values = rows.flatMap((m) => [m.value, m.spread.min, m.spread.max, m.target?.value ?? 1]).filter((v) => v > 0);
  const lo = Math.log10(Math.min(0.5, ...values) / 1.2);
  const hi = Math.log10(Math.max(2, ...values) * 1.2);
  const x = (value: number): number => left + ((Math.log10(value) - lo) / (hi - lo)) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="22" font-size="15" font-weight="bold">Temporal HTTP front: ratios measured side by side</text>`,
    `<text x="${left}" y="40" fill="#555">${escape(subtitle)}</text>`,
  ];
  for (const tick of TICKS.filter((t) => Math.log10(t) >= lo && Math.log10(t) <= hi)) {
    const at = x(tick).toFixed(1);
    parts.push(
      `<line x1="${at}" y1="${top - 6}" x2="${at}" y2="${height - 44}" stroke="${tick === 1 ? '#666' : '#e0e0e0'}"/>`,
    );
    parts.push(`<text x="${at}" y="${height - 28}" text-anchor="middle" fill="#555">${tick}</text>`);
  }
  rows.forEach((m, index) => {
    const y = top + index * rowHeight;
    const color = m.met === null ? COLORS.reported : m.met ? COLORS.met : COLORS.missed;
    const label = m.label;
    const [from, to] = [x(Math.min(1, m.value)), x(Math.max(1, m.value))];
    parts.push(`<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escape(label)}</text>`);
    parts.push(
      `<rect x="${from.toFixed(1)}" y="${y + 4}" width="${Math.max(1, to - from).toFixed(1)}" height="16" fill="${color}" opacity="0.85"/>`,
    );
    if (m.spread.values.length > 1) {
      const [a, b] = [x(m.spread.min).toFixed(1), x(m.spread.max).toFixed(1)];
      parts.push(
        `<line x1="${a}" y1="${y + 12}" x2="${b}" y2="${y + 12}" stroke="#111" stroke-width="1.5"/>`,
        `<line x1="${a}" y1="${y + 7}" x2="${a}" y2="${y + 17}" stroke="#111"/>`,
        `<line x1="${b}" y1="${y + 7}" x2="${b}" y2="${y + 17}" stroke="#111"/>`,
      );
    }
    if (m.target) {
      const at = x(m.target.value).toFixed(1);
      parts.push(
        `<line x1="${at}" y1="${y}" x2="${at}" y2="${y + 24}" stroke="#000" stroke-width="2" stroke-dasharray="3,2"/>`,
      );
    }
    const target = m.target ? `, target ${m.target.op === '>=' ? '≥' : '≤'} ${m.target.value}` : '';
    const mark = m.met === null ? '' : m.met ? ' ✓' : ' ✗';
    parts.push(
      `<text x="${width - right + 10}" y="${y + 15}" fill="${color}">${m.value.toFixed(2)}${escape(target)}${mark}</text>`,
    );
  });
  parts.push(
    `<text x="${left}" y="${height - 8}" fill="#555" font-size="11">log scale; bars start at 1 (parity); figures in MB or ms are drawn as a share of their budget</text>`,
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
