/**
 * report.html: the class at a glance, for course staff (full messages, like report.md).
 *
 * One self-contained file that works offline: styles inline, charts as inline SVG (rendered in
 * Node by ./charts), no script, no external resource. Contents:
 *   - class summary: score statistics and histogram, pass rate of every check, the most common
 *     diagnosed mistakes, a table of every submission;
 *   - per submission: the training-loss curve of train.converges and its trained network's
 *     predicted against true temperatures on the test split (both from SubmissionReport.training),
 *     then every check (status, points, message, diagnosis, replay), manual items and warnings.
 * Timing fields are left out, so a regrade gives the same bytes, like report.md.
 */
import { CONVERGENCE_THRESHOLD } from '../../checks/catalogue/training-spec-checks';
import type { CheckReport, CheckStatus, GradeReport, SubmissionReport } from '../report-types';
import { histogramChart, lossCurveChart, percentBarChart, predictedVsTrueChart } from './charts';
import { countStatuses, fileNameFor, formatPoints, scoreStats } from './common';

const STATUSES: CheckStatus[] = ['passed', 'failed', 'error', 'timeout', 'memory', 'skipped'];
export const HISTOGRAM_BINS = 10;
/** The mistakes table lists at most this many diagnoses. */
export const MAX_MISTAKES = 20;

/**
 * Text for HTML text or a quoted attribute: markup characters as references, and control
 * characters (which HTML forbids; a browser would show or drop them) as visible symbols (ESC as
 * U+241B), line feeds and tabs kept.
 */
export function escapeHtml(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, (c) =>
        c === '\u007F' ? '\u2421' : c < ' ' ? String.fromCharCode(0x2400 + c.charCodeAt(0)) : '\uFFFD',
      )
      // Lone surrogates and noncharacters, which HTML also forbids.
      .replace(/[\uD800-\uDFFF\uFDD0-\uFDEF\uFFFE\uFFFF]/gu, '\uFFFD')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;')
  );
}

// --- class statistics (exported for tests) ----------------------------------------------------

export interface HistogramBin {
  /** [from, to) in points; the last bin includes its upper end. */
  from: number;
  to: number;
  label: string;
  count: number;
}

/** HISTOGRAM_BINS equal bins over [0, rubric maximum]. */
export function scoreHistogram(report: GradeReport): HistogramBin[] {
  const max = report.rubric.maxScore;
  if (!(max > 0)) return [{ from: 0, to: 0, label: '0', count: report.submissions.length }];
  const width = max / HISTOGRAM_BINS;
  const bins: HistogramBin[] = Array.from({ length: HISTOGRAM_BINS }, (_, i) => {
    const from = i * width;
    const to = i === HISTOGRAM_BINS - 1 ? max : (i + 1) * width;
    return { from, to, label: `${formatPoints(from)}–${formatPoints(to)}`, count: 0 };
  });
  for (const submission of report.submissions) {
    const index = Math.min(
      HISTOGRAM_BINS - 1,
      Math.max(0, Math.floor(Math.round((submission.score / width) * 1e9) / 1e9)),
    );
    bins[index].count++;
  }
  return bins;
}

export interface CheckPassRate {
  id: string;
  target: string;
  title: string;
  visibility: CheckReport['visibility'];
  /** Submissions that have this check (all of them, normally: skipped checks count). */
  total: number;
  counts: Record<CheckStatus, number>;
  /** passed / total, in percent. */
  percent: number;
}

/** Every check, in rubric order, with how many submissions passed it. */
export function checkPassRates(report: GradeReport): CheckPassRate[] {
  const rates = new Map<string, CheckPassRate>();
  for (const submission of report.submissions) {
    for (const check of submission.checks) {
      let rate = rates.get(check.id);
      if (!rate) {
        rate = {
          id: check.id,
          target: check.target,
          title: check.title,
          visibility: check.visibility,
          total: 0,
          counts: { passed: 0, failed: 0, error: 0, timeout: 0, memory: 0, skipped: 0 },
          percent: 0,
        };
        rates.set(check.id, rate);
      }
      rate.total++;
      rate.counts[check.status]++;
    }
  }
  for (const rate of rates.values()) rate.percent = rate.total ? (100 * rate.counts.passed) / rate.total : 0;
  return [...rates.values()];
}

export interface DiagnosedMistake {
  diagnosis: string;
  /** Submissions with this diagnosis on at least one check. */
  count: number;
  checks: string[];
  submissions: string[];
}

/** Diagnoses of checks that did not pass, most frequent first (ties by name). */
export function commonMistakes(report: GradeReport): DiagnosedMistake[] {
  const byDiagnosis = new Map<string, { checks: Set<string>; submissions: Set<string> }>();
  for (const submission of report.submissions) {
    for (const check of submission.checks) {
      if (!check.diagnosis || check.status === 'passed') continue;
      const entry = byDiagnosis.get(check.diagnosis) ?? { checks: new Set<string>(), submissions: new Set<string>() };
      entry.checks.add(check.id);
      entry.submissions.add(submission.id);
      byDiagnosis.set(check.diagnosis, entry);
    }
  }
  return [...byDiagnosis.entries()]
    .map(([diagnosis, entry]) => ({
      diagnosis,
      count: entry.submissions.size,
      checks: [...entry.checks],
      submissions: [...entry.submissions],
    }))
    .sort((a, b) => b.count - a.count || (a.diagnosis < b.diagnosis ? -1 : a.diagnosis > b.diagnosis ? 1 : 0));
}

// --- rendering --------------------------------------------------------------------------------

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #222; margin: 0; background: #f6f7f9; }
main { max-width: 1232px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #dde1e6; }
h3 { font-size: 16px; margin: 0 0 6px; }
h4 { font-size: 14px; margin: 12px 0 4px; }
.meta { color: #555; margin: 0 0 12px; }
.card { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 12px 16px; margin: 12px 0; }
.row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.row > figure { margin: 0; }
figcaption { font-size: 12px; color: #555; max-width: 400px; }
svg.chart { display: block; max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 6px 0; font-size: 13px; }
th, td { border: 1px solid #dde1e6; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #eef1f4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.checks { width: 100%; }
table.checks td.msg { white-space: pre-wrap; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; max-width: 640px; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 12px; font-weight: 600; color: #fff; white-space: nowrap; }
.s-passed { background: #2e7d32; } .s-failed { background: #c62828; } .s-error { background: #6a1b9a; }
.s-timeout { background: #ef6c00; } .s-memory { background: #ad1457; } .s-skipped { background: #757575; }
.s-graded { background: #2e7d32; }
.tag { display: inline-block; padding: 0 5px; border: 1px solid #999; border-radius: 4px; font-size: 11px; color: #555; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
.error { color: #b71c1c; white-space: pre-wrap; }
.none { color: #777; font-style: italic; }
ul.warnings { margin: 4px 0; }
`;

const fmtPercent = (value: number) => `${value.toFixed(1)} %`;
const statusBadge = (status: string) => `<span class="badge s-${escapeHtml(status)}">${escapeHtml(status)}</span>`;
const anchorFor = (id: string) => `sub-${fileNameFor(id)}`;

/**
 * A table: `head` is plain text (escaped here), `rows` are HTML already; `columns` gives each
 * column's class ('num': right-aligned numbers, 'msg': a message kept as written).
 */
function table(head: string[], rows: string[][], columns: Array<'' | 'num' | 'msg'> = [], className = ''): string {
  const cls = (i: number) => (columns[i] ? ` class="${columns[i]}"` : '');
  const th = head.map((cell, i) => `<th${columns[i] === 'num' ? cls(i) : ''}>${escapeHtml(cell)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell, i) => `<td${cls(i)}>${cell}</td>`).join('')}</tr>`).join('\n');
  return `<table${className ? ` class="${className}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function classSummary(report: GradeReport): string {
  const out: string[] = [];
  const stats = scoreStats(report);
  const graded = report.submissions.filter((s) => s.status === 'graded').length;
  const max = report.rubric.maxScore;
  const bins = scoreHistogram(report);
  out.push('<section id="summary"><h2>Class summary</h2>');
  out.push(
    `<p>${stats.count} submissions (${graded} graded, ${stats.count - graded} could not be graded). Scores out of ${formatPoints(max)}: ` +
      `mean ${formatPoints(stats.mean)}, median ${formatPoints(stats.median)}, min ${formatPoints(stats.min)}, max ${formatPoints(stats.max)}.</p>`,
  );
  out.push(
    ...chartBesideTable(
      histogramChart(bins, { xName: `score (out of ${formatPoints(max)})`, idPrefix: 'hist' }),
      'Score histogram: submissions per tenth of the maximum score (the last bin includes the maximum).',
      `<h4>Score histogram</h4>${table(
        ['Score', 'Submissions'],
        bins.map((bin) => [escapeHtml(bin.label), String(bin.count)]),
        ['', 'num'],
        'histogram',
      )}`,
      'score-histogram',
    ),
  );

  const rates = checkPassRates(report);
  out.push('<h3 id="pass-rates">Pass rate per check</h3>');
  if (rates.length === 0) out.push('<p class="none">No checks.</p>');
  else {
    const chart = percentBarChart(
      rates.map((rate) => ({ label: rate.id, percent: rate.percent })),
      { idPrefix: 'rates', width: 400 },
    );
    const caption =
      'Share of all submissions that passed each check (skipped checks of submissions that could not be graded count as not passed).';
    out.push(
      ...chartBesideTable(
        chart,
        caption,
        table(
          ['Check', ...STATUSES.map((s) => s[0].toUpperCase() + s.slice(1)), 'Pass rate'],
          rates.map((rate) => [
            `<code title="${escapeHtml(`${rate.target}: ${rate.title}`)}">${escapeHtml(rate.id)}</code>${rate.visibility === 'hidden' ? ' <span class="tag">hidden</span>' : ''}`,
            ...STATUSES.map((status) => String(rate.counts[status])),
            fmtPercent(rate.percent),
          ]),
          ['', ...STATUSES.map(() => 'num' as const), 'num'],
          'pass-rates',
        ),
      ),
    );
  }

  const mistakes = commonMistakes(report);
  out.push('<h3 id="mistakes">Most common diagnosed mistakes</h3>');
  if (mistakes.length === 0) out.push('<p class="none">No failing check matched a known mistake.</p>');
  else {
    const shown = mistakes.slice(0, MAX_MISTAKES);
    out.push(
      table(
        ['Diagnosis', 'Submissions', 'Checks', 'Who'],
        shown.map((m) => [
          `<code>${escapeHtml(m.diagnosis)}</code>`,
          String(m.count),
          m.checks.map((id) => `<code>${escapeHtml(id)}</code>`).join(', '),
          m.submissions.map((id) => `<a href="#${escapeHtml(anchorFor(id))}">${escapeHtml(id)}</a>`).join(', '),
        ]),
        ['', 'num', '', ''],
        'mistakes',
      ),
    );
    if (mistakes.length > shown.length)
      out.push(`<p class="none">… and ${mistakes.length - shown.length} more diagnoses (see report.json).</p>`);
  }

  out.push('<h3 id="scores">Submissions</h3>');
  out.push(
    table(
      ['Submission', 'Status', 'Score', ...STATUSES.map((s) => s[0].toUpperCase() + s.slice(1)), 'Test RMSE (°C)'],
      report.submissions.map((s) => {
        const counts = countStatuses(s);
        return [
          `<a href="#${escapeHtml(anchorFor(s.id))}">${escapeHtml(s.id)}</a>`,
          statusBadge(s.status),
          `${formatPoints(s.score)}/${formatPoints(s.maxScore)}`,
          ...STATUSES.map((status) => String(counts[status])),
          s.training?.testRmseCelsius !== undefined ? s.training.testRmseCelsius.toFixed(2) : '–',
        ];
      }),
      ['', '', 'num', ...STATUSES.map(() => 'num' as const), 'num'],
      'scores',
    ),
  );
  out.push('</section>');
  return out.join('\n');
}

function checksTable(submission: SubmissionReport): string {
  if (submission.checks.length === 0) return '<p class="none">No checks.</p>';
  return table(
    ['Status', 'Check', 'Points', 'Message'],
    submission.checks.map((check) => {
      const details: string[] = [];
      if (check.diagnosis) details.push(`diagnosis: <code>${escapeHtml(check.diagnosis)}</code>`);
      if (check.replay)
        details.push(`replay: seed ${check.replay.seed}, path <code>${escapeHtml(check.replay.path)}</code>`);
      return [
        statusBadge(check.status),
        `<code>${escapeHtml(check.id)}</code>${check.visibility === 'hidden' ? ' <span class="tag">hidden</span>' : ''}<br><small>${escapeHtml(check.title)} (<code>${escapeHtml(check.target)}</code>)</small>`,
        `${formatPoints(check.points)}/${formatPoints(check.maxPoints)}`,
        `${escapeHtml(check.message)}${details.length ? `${check.message ? '\n' : ''}<small>${details.join(' · ')}</small>` : ''}`,
      ];
    }),
    ['', '', 'num', 'msg'],
    'checks',
  );
}

/**
 * Why a trained network has no test-split plot. The grader evaluates the test split only when
 * grading with `--format html`; a report graded without it (then re-rendered, e.g. by `merge
 * --format html`) has no evaluation for anybody, which is not the submission's fault.
 */
export function missingTestPlotReason(report: Pick<GradeReport, 'submissions'>): string {
  const anyEvaluated = report.submissions.some((submission) => submission.training?.testRmseCelsius !== undefined);
  return anyEvaluated
    ? "No test-split evaluation: trainRnn returned no usable parameters (finite u, w, v, b and c of the contract's shapes), or, in a merged report, this submission's shard was graded without --format html."
    : 'No test-split evaluation in this report: the grader evaluates trained networks on the test split only when grading with --format html, and this batch was graded without it (re-rendering a finished report cannot add it). Grade again with --format html to see this plot.';
}

/**
 * The lines of a row holding a chart (in a figure with its caption) beside a table of the same
 * numbers, which is what a screen reader or a copy-paste gets.
 */
function chartBesideTable(chart: string, caption: string, tableHtml: string, figureId?: string): string[] {
  const figure = figureId === undefined ? '<figure>' : `<figure id="${figureId}">`;
  return [
    '<div class="row">',
    `${figure}${chart}<figcaption>${caption}</figcaption></figure>`,
    `<div>${tableHtml}</div>`,
    '</div>',
  ];
}

function trainingCharts(submission: SubmissionReport, index: number, noTestPlot: string): string {
  const training = submission.training;
  if (!training) return '<p class="none">No training run to show (train.converges returned no losses).</p>';
  const out: string[] = ['<div class="row">'];
  const tail = training.losses.slice(-25);
  const statistic = tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length);
  out.push(
    `<figure class="loss-curve">${lossCurveChart(training.losses, { threshold: CONVERGENCE_THRESHOLD, idPrefix: `loss${index}` })}` +
      `<figcaption>Training loss of trainRnn over ${training.losses.length} steps (train.converges); mean of the last 25: ${statistic.toFixed(4)} (pass mark: below ${CONVERGENCE_THRESHOLD}).</figcaption></figure>`,
  );
  if (training.testPoints && training.testPoints.length > 0 && training.testRmseCelsius !== undefined) {
    out.push(
      `<figure class="test-scatter">${predictedVsTrueChart(training.testPoints, { idPrefix: `test${index}` })}` +
        `<figcaption>Predicted against true temperature on the test split (${training.testPoints.length} evenly spaced windows), trained parameters run through the reference forward pass; test RMSE ${training.testRmseCelsius.toFixed(2)} °C.</figcaption></figure>`,
    );
  } else out.push(`<p class="none">${escapeHtml(noTestPlot)}</p>`);
  out.push('</div>');
  return out.join('\n');
}

function submissionSection(submission: SubmissionReport, index: number, noTestPlot: string): string {
  const out: string[] = [];
  out.push(`<section class="card submission" id="${escapeHtml(anchorFor(submission.id))}">`);
  out.push(
    `<h3>${escapeHtml(submission.id)} ${statusBadge(submission.status)} <span class="score">${formatPoints(submission.score)}/${formatPoints(submission.maxScore)}</span></h3>`,
  );
  out.push(`<p class="meta"><code>${escapeHtml(submission.path)}</code> · seed ${submission.seed}</p>`);
  if (submission.error) out.push(`<p class="error">${escapeHtml(submission.error)}</p>`);
  if (submission.warnings.length > 0)
    out.push(`<ul class="warnings">${submission.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`);
  if (submission.status === 'graded') {
    out.push(`<h4 id="${escapeHtml(anchorFor(submission.id))}-training">Training</h4>`);
    out.push(trainingCharts(submission, index, noTestPlot));
  }
  out.push('<h4>Checks</h4>');
  out.push(checksTable(submission));
  if (submission.manual.length > 0) {
    out.push('<h4>Graded by hand</h4>');
    out.push(
      table(
        ['Item', 'Points'],
        submission.manual.map((item) => [
          `<code>${escapeHtml(item.id)}</code> ${escapeHtml(item.title)}`,
          item.graded
            ? `${formatPoints(item.points)}/${formatPoints(item.maxPoints)}`
            : `not graded yet (out of ${formatPoints(item.maxPoints)})`,
        ]),
        ['', 'num'],
      ),
    );
  }
  out.push('</section>');
  return out.join('\n');
}

/** report.html for course staff (full messages of hidden checks, like report.md). */
export function renderHtml(report: GradeReport): string {
  const title = `Grading report: ${report.rubric.name}`;
  const out: string[] = [];
  out.push(
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
  );
  out.push(`<title>${escapeHtml(title)}</title>`, `<style>${STYLE}</style>`, '</head>', '<body>', '<main>');
  out.push(`<h1>${escapeHtml(title)}</h1>`);
  const meta = [
    `rubric <code>${escapeHtml(report.rubric.source)}</code>`,
    `seed ${report.seed}`,
    `sandbox: ${escapeHtml(report.sandbox)}`,
  ];
  if (report.shard)
    meta.push(`shard ${report.shard.index}/${report.shard.count} of ${report.shard.totalSubmissions} submissions`);
  out.push(`<p class="meta">${meta.join(' · ')} · for course staff: hidden checks' messages are shown in full.</p>`);
  if (report.warnings.length > 0)
    out.push(
      `<div class="card"><h4>Warnings</h4><ul class="warnings">${report.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></div>`,
    );
  out.push(classSummary(report));
  out.push('<section id="submissions"><h2>Submissions</h2>');
  const noTestPlot = missingTestPlotReason(report);
  report.submissions.forEach((submission, index) => out.push(submissionSection(submission, index, noTestPlot)));
  out.push('</section>', '</main>', '</body>', '</html>');
  return `${out.join('\n')}\n`;
}
