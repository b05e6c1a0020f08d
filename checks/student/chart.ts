/**
 * The training loss as the student sees it: the convergence statistic against its threshold, a
 * log-scale text chart with the threshold as a line, and divergence said in words. Axis labels are
 * round powers of ten within a fixed range, so a diverged run cannot print `2.69e+50` as a label.
 */

export interface TrainingView {
  /** Mean of the last `window` losses, when every loss is finite. */
  statistic?: number;
  /** Words about how training went: converged, too slow, diverged (NaN, Infinity, growth). */
  verdict: string[];
  chart: string[];
}

/** Chart range: losses below FLOOR or above CEILING are drawn at the edge (and said in words). */
const FLOOR = 1e-3;
const CEILING = 1e2;

/** A number for a sentence: 4 significant digits, exponent form when huge or tiny. */
export function formatLoss(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) >= 1e4 || Math.abs(value) < 1e-3)) return value.toExponential(2);
  return value.toFixed(4);
}

/** The "nice" value (1, 2 or 5 times a power of ten) inside [low, high) of log10, if any. */
function niceIn(low: number, high: number): number | undefined {
  for (let power = Math.floor(high); power >= Math.floor(low) - 1; power--) {
    for (const factor of [5, 2, 1]) {
      const value = factor * 10 ** power;
      const log = Math.log10(value);
      if (log >= low && log < high) return value;
    }
  }
  return undefined;
}

function axisLabel(value: number): string {
  return (
    value >= 1
      ? String(Math.round(value))
      : value.toFixed(Math.ceil(-Math.log10(value)) + (value.toPrecision(1).endsWith('5') ? 1 : 0)).replace(/0+$/, '')
  ).padStart(6);
}

/**
 * The chart: one column per bucket of steps (geometric mean of the bucket), one mark per column
 * at its row on a log scale from the smallest to the largest loss (clipped to FLOOR..CEILING);
 * the threshold row is drawn with ╌. A column whose steps include NaN or Infinity shows `!`.
 */
export function lossChart(losses: readonly number[], threshold: number, width = 60, height = 12): string[] {
  const finite = losses.filter((loss) => Number.isFinite(loss) && loss > 0);
  if (finite.length === 0) return [];
  const step = Math.max(1, Math.ceil(losses.length / width));
  const columns: number[] = [];
  for (let i = 0; i < losses.length; i += step) {
    const bucket = losses.slice(i, i + step);
    if (bucket.some((loss) => !Number.isFinite(loss))) columns.push(Number.POSITIVE_INFINITY);
    else columns.push(Math.exp(bucket.reduce((sum, loss) => sum + Math.log(Math.max(loss, FLOOR)), 0) / bucket.length));
  }
  const logs = columns.filter(Number.isFinite).map((value) => Math.log10(Math.min(Math.max(value, FLOOR), CEILING)));
  const thresholdLog = Math.log10(threshold);
  const low = Math.min(...logs, thresholdLog) - 0.02;
  const high = Math.max(...logs, thresholdLog) + 0.02;
  const band = (high - low) / height;
  const rowOf = (log: number) => Math.min(height - 1, Math.max(0, Math.floor((high - log) / band)));
  const thresholdRow = rowOf(thresholdLog);
  const rows: string[] = [];
  for (let row = 0; row < height; row++) {
    const top = high - row * band;
    const nice = niceIn(top - band, top);
    const axis = row === thresholdRow ? String(threshold).padStart(6) : nice !== undefined ? axisLabel(nice) : '      ';
    const cells = columns.map((value) => {
      if (!Number.isFinite(value)) return row === 0 ? '!' : ' ';
      if (rowOf(Math.log10(Math.min(Math.max(value, FLOOR), CEILING))) === row) return '●';
      return row === thresholdRow ? '╌' : ' ';
    });
    rows.push(`${axis} ┤${cells.join('')}${row === thresholdRow ? '  ← threshold' : ''}`);
  }
  rows.push(`       └${'─'.repeat(columns.length)}`);
  rows.push(
    `        step 1${' '.repeat(Math.max(1, columns.length - 6 - String(losses.length).length))}${losses.length}   (loss, log scale${step > 1 ? `; ${step} steps per column` : ''})`,
  );
  return rows;
}

/** What to say about a training run's losses. */
export function trainingView(losses: readonly number[], threshold: number, window = 25): TrainingView {
  const verdict: string[] = [];
  const firstBad = losses.findIndex((loss) => !Number.isFinite(loss));
  if (firstBad >= 0) {
    verdict.push(
      `Training diverged: the loss became ${losses[firstBad]} at step ${firstBad + 1} of ${losses.length}. ` +
        'A gradient with the wrong sign or scale, or a wrong learning rate, makes the parameters grow without bound.',
    );
    return { verdict, chart: lossChart(losses.slice(0, firstBad + 1), threshold) };
  }
  const tail = losses.slice(-window);
  const statistic = tail.reduce((sum, loss) => sum + loss, 0) / Math.max(1, tail.length);
  const head = losses.slice(0, window);
  const start = head.reduce((sum, loss) => sum + loss, 0) / Math.max(1, head.length);
  const passed = statistic < threshold;
  verdict.push(
    `Mean of the last ${tail.length} losses: ${formatLoss(statistic)} (it must be below ${threshold}) ${passed ? '✓' : '✗'}`,
  );
  if (statistic > 10 * start && statistic > 1) {
    verdict.push(
      `Training diverged: the loss grew from about ${formatLoss(start)} to ${formatLoss(statistic)} (largest ${formatLoss(Math.max(...losses))}). Check the sign of each gradient and the learning rate.`,
    );
  } else if (!passed && statistic >= 0.9 * start) {
    verdict.push(
      `The loss did not go down (about ${formatLoss(start)} at the start). Are the parameters updated with the gradients (θ ← θ − lr·grad)?`,
    );
  } else if (!passed) {
    verdict.push(
      `The loss went down from about ${formatLoss(start)}, but not far enough: check the learning rate (0.01), the batch size (32) and that the batch's gradients are averaged.`,
    );
  }
  const largest = Math.max(...losses);
  if (largest > CEILING)
    verdict.push(`Losses above ${CEILING} (up to ${formatLoss(largest)}) are drawn at the top of the chart.`);
  return { statistic, verdict, chart: lossChart(losses, threshold) };
}
