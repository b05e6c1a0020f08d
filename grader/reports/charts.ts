/**
 * The HTML report's charts, as inline SVG strings rendered in Node by Apache ECharts' server-side
 * SVG renderer (no browser, no DOM, synchronous). Every chart is static: no animation, no
 * interaction, no script; the same data always gives the same bytes.
 *
 * ECharts is loaded on first use only, so that the grader does not pay for it unless `--format
 * html` is asked for.
 */
import type * as EChartsModule from 'echarts';

type EChartsOption = EChartsModule.EChartsOption;

let loaded: typeof EChartsModule | undefined;
function echarts(): typeof EChartsModule {
  // Loaded on first use: echarts is large and most formats never draw a chart.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('echarts') as typeof EChartsModule);
}

export interface ChartSize {
  width: number;
  height: number;
}

const COLORS = {
  bar: '#4e79a7',
  pass: '#59a14f',
  line: '#4e79a7',
  threshold: '#e15759',
  diagonal: '#9c9c9c',
  point: '#f28e2b',
};
const TEXT = { fontFamily: 'sans-serif', fontSize: 12, color: '#333' };

/**
 * Renders one chart to an SVG string. `idPrefix` replaces ECharts' per-instance ids (which count
 * up through the process) so that several charts can share one page and output is reproducible.
 */
export function renderChart(option: EChartsOption, size: ChartSize, idPrefix: string, label: string): string {
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ animation: false, textStyle: TEXT, ...option });
    const svg = chart.renderToSVGString();
    return (
      svg
        // Hover effects (a style block and the classes it styles, numbered through the process) and
        // ECharts' own metadata attributes: the charts are static.
        .replace(/<style\b[^>]*>[\s\S]*?<\/style>/g, '')
        .replace(/ class="zr\d+-cls-\d+"/g, '')
        .replace(/ ecmeta_[a-z_]+="[^"]*"/g, '')
        .replace(/\bzr\d+-/g, `${idPrefix}-`)
        .replace(/^<svg /, `<svg role="img" aria-label="${escapeAttribute(label)}" class="chart" `)
    );
  } finally {
    chart.dispose();
  }
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A bar chart of counts per category (the score histogram). */
export function histogramChart(
  bins: Array<{ label: string; count: number }>,
  options: { xName: string; idPrefix: string; size?: ChartSize },
): string {
  const size = options.size ?? { width: 560, height: 280 };
  return renderChart(
    {
      grid: { left: 48, right: 16, top: 24, bottom: 52 },
      xAxis: {
        type: 'category',
        data: bins.map((bin) => bin.label),
        name: options.xName,
        nameLocation: 'middle',
        nameGap: 34,
        axisLabel: { interval: 0, fontSize: 10 },
      },
      yAxis: { type: 'value', name: 'submissions', minInterval: 1, nameTextStyle: { align: 'left' } },
      series: [
        {
          type: 'bar',
          silent: true,
          data: bins.map((bin) => bin.count),
          itemStyle: { color: COLORS.bar },
          label: {
            show: true,
            position: 'top',
            formatter: (p: { value: unknown }) => (p.value ? String(p.value) : ''),
          },
        },
      ],
    },
    size,
    options.idPrefix,
    `histogram: ${bins.map((bin) => `${bin.label}: ${bin.count}`).join(', ')}`,
  );
}

/** Horizontal bars of a percentage per named row (the per-check pass rates), in the given order, top to bottom. */
export function percentBarChart(
  rows: Array<{ label: string; percent: number }>,
  options: { idPrefix: string; width?: number },
): string {
  const height = 40 + 20 * Math.max(1, rows.length);
  const reversed = rows.slice().reverse(); // category axes run bottom-up
  return renderChart(
    {
      grid: { left: 8, right: 48, top: 8, bottom: 28, containLabel: true },
      xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value} %' } },
      yAxis: { type: 'category', data: reversed.map((row) => row.label), axisLabel: { fontSize: 11, interval: 0 } },
      series: [
        {
          type: 'bar',
          silent: true,
          barMaxWidth: 14,
          data: reversed.map((row) => Math.round(row.percent * 10) / 10),
          itemStyle: { color: COLORS.pass },
          label: {
            show: true,
            position: 'right',
            fontSize: 10,
            formatter: (p: { value: unknown }) => `${String(p.value)} %`,
          },
        },
      ],
    },
    { width: options.width ?? 560, height },
    options.idPrefix,
    `pass rate per check: ${rows.map((row) => `${row.label} ${row.percent.toFixed(1)} %`).join(', ')}`,
  );
}

/** The training losses per step, with the convergence threshold as a dashed line. */
export function lossCurveChart(
  losses: readonly number[],
  options: { threshold: number; idPrefix: string; size?: ChartSize },
): string {
  const size = options.size ?? { width: 520, height: 356 };
  const positive = losses.every((loss) => loss > 0);
  return renderChart(
    {
      grid: { left: 56, right: 20, top: 28, bottom: 44 },
      xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 26, min: 0, max: losses.length },
      // A log scale shows both the first steps and the plateau; only possible when every loss is positive.
      yAxis: positive
        ? { type: 'log', name: 'loss (log scale)', nameTextStyle: { align: 'left' } }
        : { type: 'value', name: 'loss', nameTextStyle: { align: 'left' } },
      series: [
        {
          type: 'line',
          silent: true,
          showSymbol: false,
          data: losses.map((loss, step) => [step + 1, loss]),
          lineStyle: { width: 1.2, color: COLORS.line },
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { color: COLORS.threshold, type: 'dashed' },
            label: { formatter: `pass mark ${options.threshold}`, position: 'insideEndTop', color: COLORS.threshold },
            data: [{ yAxis: options.threshold }],
          },
        },
      ],
    },
    size,
    options.idPrefix,
    `training loss over ${losses.length} steps`,
  );
}

/** Predicted against true values (°C), with the diagonal y = x. */
export function predictedVsTrueChart(
  points: ReadonlyArray<readonly [number, number]>,
  options: { idPrefix: string; size?: ChartSize },
): string {
  const size = options.size ?? { width: 360, height: 356 }; // a square plot area
  const values = points.flat();
  // The same range on both axes, in whole tens, so that the diagonal is at 45°.
  const low = Math.floor(Math.min(...values) / 10) * 10;
  const high = Math.max(low + 10, Math.ceil(Math.max(...values) / 10) * 10);
  const interval = high - low <= 100 ? 10 : undefined; // else ECharts picks (a model far off the mark)
  return renderChart(
    {
      grid: { left: 56, right: 20, top: 28, bottom: 44 },
      xAxis: {
        type: 'value',
        name: 'true °C',
        nameLocation: 'middle',
        nameGap: 26,
        min: low,
        max: high,
        interval,
        axisLine: { onZero: false },
      },
      yAxis: {
        type: 'value',
        name: 'predicted °C',
        min: low,
        max: high,
        interval,
        axisLine: { onZero: false },
        nameTextStyle: { align: 'left' },
      },
      series: [
        {
          type: 'line',
          silent: true,
          showSymbol: false,
          data: [
            [low, low],
            [high, high],
          ],
          lineStyle: { color: COLORS.diagonal, type: 'dashed', width: 1 },
        },
        // large: drawn as one path rather than one element per point (a smaller page)
        {
          type: 'scatter',
          silent: true,
          large: true,
          largeThreshold: 0,
          symbolSize: 3,
          data: points.map(([x, y]) => [x, y]),
          itemStyle: { color: COLORS.point, opacity: 0.7 },
        },
      ],
    },
    size,
    options.idPrefix,
    `predicted against true temperature, ${points.length} test windows`,
  );
}
