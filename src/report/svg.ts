// Charts as inline SVG text for the HTML reports: scales, ticks and a line chart, with no script to run.

export const escape = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A number in about three significant figures, for ticks and labels. */
export const fmt = (x: number): string =>
  x === 0
    ? "0"
    : x >= 100
    ? x.toFixed(0)
    : x >= 10
    ? x.toFixed(1)
    : x >= 1
    ? x.toFixed(2)
    : x.toPrecision(2);

export type Scale = (v: number) => number;

/** A log-scaled axis from lo to hi (both > 0) onto [a, b]. */
export const logScale = (lo: number, hi: number, a: number, b: number): Scale => {
  const l0 = Math.log10(lo), l1 = Math.log10(hi === lo ? lo * 10 : hi);
  return (v: number) => a + ((Math.log10(Math.max(v, lo)) - l0) / (l1 - l0)) * (b - a);
};

export const linScale = (lo: number, hi: number, a: number, b: number): Scale => (v: number) =>
  a + ((v - lo) / (hi - lo || 1)) * (b - a);

/** Ticks at 1, 2, 5 × powers of ten within [lo, hi]. */
export const logTicks = (lo: number, hi: number): number[] => {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return ticks;
};

/** About `count` round ticks from 0 to hi. */
export const linTicks = (hi: number, count = 5): number[] => {
  if (!(hi > 0)) return [0];
  const raw = hi / count, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  return Array.from({ length: Math.floor(hi / step) + 1 }, (_, i) => i * step);
};

export interface Line {
  readonly name: string;
  readonly colour: string;
  readonly dash?: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

export interface Chart {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly lines: ReadonlyArray<Line>;
  /** A log y axis (latency); linear from 0 otherwise. */
  readonly logY: boolean;
  /** Tick positions and labels on x, when not plain numbers (the percentile plot's nines). */
  readonly xTicks?: ReadonlyArray<readonly [number, string]>;
  readonly yFormat: (v: number) => string;
}

const width = 760, height = 260, left = 64, right = 16, bottom = 40;
/** A legend row's height, and the widths its items take: the tick font is about 6.5 px a character. */
const legendRow = 14, swatch = 28, charPx = 6.5, legendGap = 16;

/**
 * Where each legend item goes: side by side by the width of its name, wrapping to a new row before
 * the chart's right edge, so that long names (`connection_refused`) never overlap the next.
 */
export const legendLayout = (
  names: ReadonlyArray<string>,
): { readonly at: ReadonlyArray<readonly [number, number]>; readonly rows: number } => {
  const at: Array<readonly [number, number]> = [];
  let x = left + 8, row = 0;
  for (const name of names) {
    const w = swatch + Math.ceil(name.length * charPx) + legendGap;
    if (x > left + 8 && x + w > width - right) {
      row++;
      x = left + 8;
    }
    at.push([x, 12 + row * legendRow]);
    x += w;
  }
  return { at, rows: row + 1 };
};

/** A line chart of `c` as an `<svg>` element; an empty chart says there was nothing to draw. */
export const lineChart = (c: Chart): string => {
  const layout = legendLayout(c.lines.map((l) => l.name));
  // The plot starts below the legend's last row.
  const top = 28 + (layout.rows - 1) * legendRow;
  const all = c.lines.flatMap((l) => l.points);
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  const xLo = Math.min(0, ...xs), xHi = Math.max(xLo + 1e-9, ...xs);
  const x = linScale(xLo, xHi, left, width - right);
  const positive = ys.filter((v) => v > 0);
  const yLo = c.logY ? Math.max(0.001, Math.min(1, ...positive) / 1.5) : 0;
  const yHi = c.logY ? Math.max(yLo * 10, ...positive) * 1.5 : Math.max(1, ...ys) * 1.1;
  const y = c.logY
    ? logScale(yLo, yHi, height - bottom, top)
    : linScale(0, yHi, height - bottom, top);
  const yTicks = c.logY ? logTicks(yLo, yHi) : linTicks(yHi);
  const xTicks = c.xTicks ?? linTicks(xHi).map((t): [number, string] => [t, fmt(t)]);
  const parts: string[] = [];
  for (const t of yTicks) {
    parts.push(
      `<line class="grid" x1="${left}" x2="${width - right}" y1="${y(t).toFixed(1)}" y2="${
        y(t).toFixed(1)
      }"/>`,
      `<text class="tick" x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${
        escape(c.yFormat(t))
      }</text>`,
    );
  }
  for (const [t, label] of xTicks) {
    if (t < xLo || t > xHi) continue;
    parts.push(
      `<line class="grid" y1="${top}" y2="${height - bottom}" x1="${x(t).toFixed(1)}" x2="${
        x(t).toFixed(1)
      }"/>`,
      `<text class="tick" x="${x(t).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${
        escape(label)
      }</text>`,
    );
  }
  parts.push(
    `<text class="axis" x="${(left + width - right) / 2}" y="${height - 6}" text-anchor="middle">${
      escape(c.xLabel)
    }</text>`,
    `<text class="axis" x="14" y="${(top + height - bottom) / 2}" transform="rotate(-90 14 ${
      (top + height - bottom) / 2
    })" text-anchor="middle">${escape(c.yLabel)}</text>`,
  );
  for (const l of c.lines) {
    if (l.points.length === 0) continue;
    const d = l.points.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" ");
    parts.push(
      `<polyline fill="none" stroke="${l.colour}" stroke-width="1.6"${
        l.dash === undefined ? "" : ` stroke-dasharray="${l.dash}"`
      } points="${d}"><title>${escape(l.name)}</title></polyline>`,
    );
  }
  const legend = c.lines.map((l, i) =>
    `<g transform="translate(${layout.at[i]![0]} ${
      layout.at[i]![1]
    })"><line x1="0" x2="22" y1="0" y2="0" stroke="${l.colour}" stroke-width="2"${
      l.dash === undefined ? "" : ` stroke-dasharray="${l.dash}"`
    }/><text class="tick" x="28" y="4">${escape(l.name)}</text></g>`
  );
  const empty = all.length === 0
    ? `<text class="axis" x="${width / 2}" y="${
      height / 2
    }" text-anchor="middle">nothing to draw</text>`
    : "";
  return `<figure><figcaption>${
    escape(c.title)
  }</figcaption><svg id="${c.id}" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${
    escape(c.title)
  }">${parts.join("")}${legend.join("")}${empty}</svg></figure>`;
};
