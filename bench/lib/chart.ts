// The run as a picture, hand-written SVG: achieved against offered rate, and p99 due -> decided (clearance
// decided; green-channel: lane decided; exemption: exemption decided; origin: origin decided) against offered
// rate, one line per system and door (log scales).
import type { PhaseResult } from './phase';

export interface Series {
  label: string;
  color: string;
  dashed: boolean;
  points: PhaseResult[];
}

const W = 1000;
const H = 460;
const PANEL = { w: 400, h: 300, top: 70 };
const LEFT = [70, 570];

function logScale(min: number, max: number, size: number, invert: boolean) {
  const lo = Math.log10(min);
  const hi = Math.log10(max);
  return (v: number) => {
    const t = (Math.log10(Math.max(min, Math.min(max, v))) - lo) / (hi - lo || 1);
    return invert ? size - t * size : t * size;
  };
}

function ticks(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min && v <= max) out.push(v);
    }
  }
  return out;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function panel(
  x0: number,
  title: string,
  yLabel: string,
  series: Series[],
  y: (p: PhaseResult) => number,
  xr: [number, number],
  yr: [number, number],
  extra: (sx: (v: number) => number, sy: (v: number) => number) => string,
): string {
  const sx = logScale(xr[0], xr[1], PANEL.w, false);
  const sy = logScale(yr[0], yr[1], PANEL.h, true);
  const parts: string[] = [
    `<g transform="translate(${x0},${PANEL.top})">`,
    `<text x="${PANEL.w / 2}" y="-12" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<rect width="${PANEL.w}" height="${PANEL.h}" fill="none" stroke="#999"/>`,
  ];
  for (const t of ticks(xr[0], xr[1])) {
    parts.push(
      `<line x1="${sx(t)}" x2="${sx(t)}" y1="0" y2="${PANEL.h}" stroke="#eee"/>`,
      `<text x="${sx(t)}" y="${PANEL.h + 16}" text-anchor="middle" font-size="11">${t}</text>`,
    );
  }
  for (const t of ticks(yr[0], yr[1])) {
    parts.push(
      `<line x1="0" x2="${PANEL.w}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`,
      `<text x="-6" y="${sy(t) + 4}" text-anchor="end" font-size="11">${t}</text>`,
    );
  }
  parts.push(extra(sx, sy));
  for (const s of series) {
    const pts = s.points
      .filter((p) => y(p) > 0)
      .map((p) => `${sx(p.rate).toFixed(1)},${sy(y(p)).toFixed(1)}`);
    if (pts.length > 1)
      parts.push(
        `<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      );
    for (const p of s.points.filter((q) => y(q) > 0)) {
      parts.push(
        `<circle cx="${sx(p.rate).toFixed(1)}" cy="${sy(y(p)).toFixed(1)}" r="3.5" fill="${p.status === 'passed' ? s.color : '#fff'}" stroke="${s.color}" stroke-width="1.5"><title>${esc(`${s.label} ${p.kind} ${p.rate}/s: ${p.status}, achieved ${p.achievedRate}/s, p99 ${p.latencyMs.decided.p99} ms`)}</title></circle>`,
      );
    }
  }
  parts.push(
    `<text x="${PANEL.w / 2}" y="${PANEL.h + 34}" text-anchor="middle" font-size="12">offered rate (declarations/s)</text>`,
    `<text transform="translate(-48,${PANEL.h / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(yLabel)}</text>`,
    '</g>',
  );
  return parts.join('\n');
}

export function renderChart(title: string, series: Series[], limitMs: number): string {
  const all = series.flatMap((s) => s.points);
  const rates = all.map((p) => p.rate);
  const xr: [number, number] = [Math.max(1, Math.min(...rates, 100) / 1.5), Math.max(...rates, 200) * 1.5];
  const achieved = all.map((p) => p.achievedRate).filter((v) => v > 0);
  const yrRate: [number, number] = [
    Math.max(1, Math.min(xr[0], ...achieved) / 1.2),
    Math.max(xr[1], ...achieved),
  ];
  const p99s = all.map((p) => p.latencyMs.decided.p99).filter((v) => v > 0);
  const yrLat: [number, number] = [
    Math.max(1, Math.min(10, ...p99s) / 1.5),
    Math.max(limitMs * 4, ...p99s) * 1.5,
  ];
  const legend = series
    .map(
      (s, i) =>
        // Four to a row (green-channel, exemption and origin beside both doors of both systems wrap to a second).
        `<g transform="translate(${70 + (i % 4) * 230},${H - 24 - (Math.ceil(series.length / 4) - 1 - Math.floor(i / 4)) * 18})"><line x1="0" x2="28" y1="0" y2="0" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/><text x="34" y="4" font-size="12">${esc(s.label)}</text></g>`,
    )
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15">${esc(title)}</text>`,
    panel(
      LEFT[0],
      'Achieved vs offered',
      'achieved (declarations/s)',
      series,
      (p) => p.achievedRate,
      xr,
      yrRate,
      (sx, sy) =>
        `<line x1="${sx(xr[0])}" y1="${sy(xr[0])}" x2="${sx(xr[1])}" y2="${sy(xr[1])}" stroke="#bbb" stroke-dasharray="2 3"/>`,
    ),
    panel(
      LEFT[1],
      'p99 due → decided',
      'p99 (ms)',
      series,
      (p) => p.latencyMs.decided.p99,
      xr,
      yrLat,
      (_sx, sy) =>
        `<line x1="0" x2="${PANEL.w}" y1="${sy(limitMs)}" y2="${sy(limitMs)}" stroke="#c00" stroke-dasharray="4 3"/><text x="${PANEL.w - 4}" y="${sy(limitMs) - 4}" text-anchor="end" font-size="11" fill="#c00">${limitMs} ms</text>`,
    ),
    legend,
    `<text x="${W - 10}" y="${H - 6}" text-anchor="end" font-size="10" fill="#666">filled: passed, hollow: failed</text>`,
    '</svg>',
  ].join('\n');
}
