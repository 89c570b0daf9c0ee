/**
 * A small SVG writer for the benchmark charts: grouped bars (ratios per
 * workload) and lines (cost against N, log axes). No browser needed.
 *
 * @module
 */

const COLORS = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
];

/** The opening of a chart: the svg element, a white page, the title. */
function svgOpen(W: number, H: number, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16">${
      esc(title)
    }</text>`,
  ];
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** One series of a chart. */
export interface Series {
  /** Legend label. */
  name: string;
  /** One value per category (bars) or per x (lines); NaN = missing. */
  values: number[];
}

/** A horizontal reference line, e.g. a target. */
export interface RefLine {
  /** The y value. */
  value: number;
  /** Its label. */
  label: string;
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (
    let e = Math.floor(Math.log10(min));
    e <= Math.ceil(Math.log10(max));
    e++
  ) {
    ticks.push(10 ** e);
  }
  return ticks;
}

function fmt(v: number): string {
  if (v >= 1000) return `${v / 1000}k`;
  return String(Number(v.toPrecision(3)));
}

/** Grouped bars on a log y axis. */
export function barChart(options: {
  title: string;
  yLabel: string;
  categories: string[];
  series: Series[];
  refLines?: RefLine[];
}): string {
  const W = 900, H = 460, L = 70, R = 120, T = 50, B = 90;
  const all = options.series.flatMap((s) => s.values).filter((v) => v > 0);
  const refs = options.refLines ?? [];
  const lo = Math.min(...all, ...refs.map((r) => r.value), 1) / 1.5;
  const hi = Math.max(...all, ...refs.map((r) => r.value), 1) * 1.5;
  const y = (v: number) =>
    T +
    (H - T - B) *
      (1 -
        (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)));
  const groupW = (W - L - R) / options.categories.length;
  const barW = (groupW * 0.8) / options.series.length;
  const out: string[] = svgOpen(W, H, options.title);
  for (const t of logTicks(lo, hi)) {
    if (t < lo || t > hi) continue;
    out.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>`,
      `<text x="${L - 6}" y="${y(t) + 4}" text-anchor="end">${fmt(t)}x</text>`,
    );
  }
  for (const r of refs) {
    out.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(r.value)}" y2="${
        y(r.value)
      }" stroke="#555" stroke-dasharray="5,4"/>`,
      // In the right margin, so a label never sits on a bar.
      `<text x="${W - R + 6}" y="${y(r.value) + 4}" fill="#555">${
        esc(r.label)
      }</text>`,
    );
  }
  options.categories.forEach((cat, ci) => {
    const gx = L + ci * groupW + groupW * 0.1;
    options.series.forEach((s, si) => {
      const v = s.values[ci];
      if (!(v > 0)) return;
      const x = gx + si * barW;
      out.push(
        `<rect x="${x}" y="${y(v)}" width="${barW - 2}" height="${
          y(lo) - y(v)
        }" fill="${COLORS[si % COLORS.length]}"><title>${
          esc(`${s.name} ${cat}: ${v.toFixed(2)}x`)
        }</title></rect>`,
        `<text x="${x + barW / 2}" y="${
          y(v) - 3
        }" text-anchor="middle" font-size="10">${v.toFixed(1)}</text>`,
      );
    });
    // Two-word labels go on two lines so neighbours never overlap.
    const words = cat.split(" ");
    const lines = words.length > 1
      ? [words[0], words.slice(1).join(" ")]
      : words;
    lines.forEach((line, li) => {
      out.push(
        `<text x="${gx + groupW * 0.4}" y="${
          H - B + 18 + li * 14
        }" text-anchor="middle">${esc(line)}</text>`,
      );
    });
  });
  out.push(
    `<text transform="translate(16 ${
      (H - B + T) / 2
    }) rotate(-90)" text-anchor="middle">${esc(options.yLabel)}</text>`,
  );
  options.series.forEach((s, si) => {
    const lx = L + si * 200;
    out.push(
      `<rect x="${lx}" y="${H - 30}" width="12" height="12" fill="${
        COLORS[si % COLORS.length]
      }"/>`,
      `<text x="${lx + 18}" y="${H - 20}">${esc(s.name)}</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n");
}

/** Lines on log-log axes. */
export function lineChart(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  xs: number[];
  series: Series[];
}): string {
  const W = 760, H = 440, L = 80, R = 20, T = 50, B = 80;
  const ys = options.series.flatMap((s) => s.values).filter((v) => v > 0);
  const xlo = Math.min(...options.xs) / 1.3,
    xhi = Math.max(...options.xs) * 1.3;
  const ylo = Math.min(...ys) / 1.5, yhi = Math.max(...ys) * 1.5;
  const x = (v: number) =>
    L +
    (W - L - R) * (Math.log10(v) - Math.log10(xlo)) /
      (Math.log10(xhi) - Math.log10(xlo));
  const y = (v: number) =>
    T +
    (H - T - B) *
      (1 -
        (Math.log10(v) - Math.log10(ylo)) /
          (Math.log10(yhi) - Math.log10(ylo)));
  const out: string[] = svgOpen(W, H, options.title);
  for (const t of logTicks(ylo, yhi)) {
    if (t < ylo || t > yhi) continue;
    out.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>`,
      `<text x="${L - 6}" y="${y(t) + 4}" text-anchor="end">${fmt(t)}</text>`,
    );
  }
  for (const t of options.xs) {
    out.push(
      `<line x1="${x(t)}" x2="${x(t)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`,
      `<text x="${x(t)}" y="${H - B + 16}" text-anchor="middle">${
        fmt(t)
      }</text>`,
    );
  }
  options.series.forEach((s, si) => {
    const pts = options.xs
      .map((xv, i) => [xv, s.values[i]] as const)
      .filter(([, v]) => v > 0)
      .map(([xv, v]) => `${x(xv)},${y(v)}`);
    const c = COLORS[si % COLORS.length];
    out.push(
      `<polyline fill="none" stroke="${c}" stroke-width="2" points="${
        pts.join(" ")
      }"/>`,
    );
    for (const p of pts) {
      const [px, py] = p.split(",");
      out.push(`<circle cx="${px}" cy="${py}" r="3" fill="${c}"/>`);
    }
    out.push(
      `<rect x="${L + si * 150}" y="${
        H - 30
      }" width="12" height="12" fill="${c}"/>`,
      `<text x="${L + si * 150 + 18}" y="${H - 20}">${esc(s.name)}</text>`,
    );
  });
  out.push(
    `<text x="${(L + W - R) / 2}" y="${H - B + 36}" text-anchor="middle">${
      esc(options.xLabel)
    }</text>`,
    `<text transform="translate(18 ${
      (H - B + T) / 2
    }) rotate(-90)" text-anchor="middle">${esc(options.yLabel)}</text>`,
    "</svg>",
  );
  return out.join("\n");
}

/**
 * Stack whole charts (as returned by {@linkcode barChart} or
 * {@linkcode lineChart}) vertically into one SVG document.
 *
 * @param charts SVG documents, each with numeric `width` and `height`.
 * @returns One SVG as wide as the widest chart.
 */
export function stackCharts(charts: string[]): string {
  let y = 0, width = 0;
  const parts: string[] = [];
  for (const c of charts) {
    const m = /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(c);
    if (m === null) throw new TypeError("Cannot stack chart: no width/height");
    parts.push(c.replace(/^<svg /, `<svg y="${y}" `));
    width = Math.max(width, Number(m[1]));
    y += Number(m[2]);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}">`,
    ...parts,
    "</svg>",
  ].join("\n");
}
