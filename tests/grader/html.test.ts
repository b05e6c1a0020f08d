/**
 * report.html, checked without a browser on a fixed, hand-written report: self-contained, one
 * inline SVG per chart, the class tables' numbers, full messages (a staff report, like report.md),
 * escaping, and the same bytes for the same report. (bench/screenshot.ts looks at it in Chromium.)
 */
import { createRng } from 'rnn-lab';
import { MAX_TEST_POINTS, trainingReport } from '../../grader/grade-submission';
import type { GradeReport, TrainingReport } from '../../grader/report-types';
import { renderReports } from '../../grader/reports';
import {
  checkPassRates,
  commonMistakes,
  escapeHtml,
  missingTestPlotReason,
  renderHtml,
  scoreHistogram,
} from '../../grader/reports/html';
import { parse } from 'parse5';
import type { DefaultTreeAdapterMap } from 'parse5';
import { HOSTILE, HOSTILE_IDS, hostileReport } from '../helpers/hostile-report';
import { check, gradeReport, submission } from '../helpers/report-fixtures';
import { evaluateOnTestSet } from '../../reference/pipeline';
import { RNN } from '../../reference/rnn';

const SECRET = 'expected yHat = 0.123456';

const losses = Array.from({ length: 500 }, (_, step) =>
  Number((1.2 * Math.exp(-step / 80) + 0.04 + 0.01 * Math.sin(step)).toPrecision(5)),
);
const training: TrainingReport = {
  losses,
  testRmseCelsius: 2.6477,
  testPoints: Array.from(
    { length: 400 },
    (_, i) => [Number((-10 + i * 0.1).toFixed(4)), Number((-9 + i * 0.1 + Math.sin(i)).toFixed(4))] as [number, number],
  ),
};

function fixture(): GradeReport {
  const notRun = 'Not run: the submission could not be graded (see the error above).';
  return gradeReport({
    rubric: {
      source: 'rubric.yaml',
      name: 'Test rubric',
      maxScore: 20,
      items: [
        { id: 'a', kind: 'check', title: 'a', maxPoints: 5, checks: ['a'] },
        { id: 'b', kind: 'check', title: 'b', maxPoints: 10, checks: ['b'] },
        { id: 'c', kind: 'check', title: 'c', maxPoints: 5, checks: ['c'] },
      ],
    },
    submissions: [
      submission({
        id: 'alice',
        score: 20,
        maxScore: 20,
        checks: [
          check({ id: 'a', status: 'passed', points: 5, maxPoints: 5 }),
          check({ id: 'b', status: 'passed', points: 10, maxPoints: 10, visibility: 'hidden' }),
          check({ id: 'c', status: 'passed', points: 5, maxPoints: 5, message: 'mean of the last 25 losses: 0.0447' }),
        ],
        training,
      }),
      submission({
        id: 'bob',
        score: 5,
        maxScore: 20,
        checks: [
          check({ id: 'a', status: 'passed', points: 5, maxPoints: 5 }),
          check({
            id: 'b',
            status: 'failed',
            points: 0,
            maxPoints: 10,
            message: `RNN.forward is wrong: ${SECRET}\nyour value: 0.5`,
            visibility: 'hidden',
            diagnosis: 'b.mistake',
            replay: { seed: 7, path: '3' },
          }),
          check({
            id: 'c',
            status: 'failed',
            points: 0,
            maxPoints: 5,
            message: 'did not converge',
            diagnosis: 'c.mistake',
          }),
        ],
        training: { losses },
      }),
      submission({
        id: 'carol <b>&',
        score: 19.5,
        maxScore: 20,
        checks: [
          check({ id: 'a', status: 'passed', points: 5, maxPoints: 5, diagnosis: 'passed-checks-do-not-count' }),
          check({
            id: 'b',
            status: 'failed',
            points: 0,
            maxPoints: 10,
            message: 'wrong again <script>',
            visibility: 'hidden',
            diagnosis: 'b.mistake',
          }),
          check({ id: 'c', status: 'timeout', points: 0, maxPoints: 5, message: 'no answer within the time limit' }),
        ],
      }),
      submission({
        id: 'dave',
        score: 0,
        maxScore: 20,
        checks: [
          check({ id: 'a', status: 'skipped', points: 0, maxPoints: 5, message: notRun }),
          check({ id: 'b', status: 'skipped', points: 0, maxPoints: 10, message: notRun, visibility: 'hidden' }),
          check({ id: 'c', status: 'skipped', points: 0, maxPoints: 5, message: notRun }),
        ],
        status: 'error',
        error: 'rnn.ts:3:1: Unexpected "}"',
      }),
    ],
  });
}

/** The rows of `<table class="NAME">` as text cells (tags stripped, entities of <, > and & decoded). */
function tableRows(html: string, name: string): string[][] {
  const table = new RegExp(`<table class="${name}">([\\s\\S]*?)</table>`).exec(html);
  if (!table) throw new Error(`no table ${name}`);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1])![1];
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
      cell[1]
        .replace(/<[^>]*>/g, '')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&')
        .trim(),
    ),
  );
}

let html: string;
beforeAll(() => {
  html = renderHtml(fixture());
});

test('--format html writes report.html', () => {
  expect([...renderReports(fixture(), ['html']).keys()]).toEqual(['report.html']);
  expect(renderReports(fixture(), ['html']).get('report.html')).toBe(html);
});

test('self-contained: no script, no stylesheet link, nothing loaded from elsewhere', () => {
  expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<link\b/i);
  expect(html).not.toMatch(/<(img|iframe|object|embed)\b/i);
  expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  expect(html).not.toMatch(/url\(\s*["']?\s*(https?:)?\/\//i);
  expect(html).not.toMatch(/@import/i);
  // The only links are to anchors inside the page, and every one of them exists.
  const targets = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
  expect(targets.length).toBeGreaterThan(0);
  const ids = new Set([...html.matchAll(/\bid="([^"]*)"/g)].map((m) => m[1]));
  for (const target of targets) {
    expect(target.startsWith('#')).toBe(true);
    expect(ids.has(target.slice(1))).toBe(true);
  }
});

test('one inline SVG per chart: histogram, pass rates, and per submission a loss curve and a test scatter when there is one', () => {
  const svgs = html.match(/<svg\b/g) ?? [];
  // histogram + pass rates + alice (loss + scatter) + bob (loss only)
  expect(svgs).toHaveLength(5);
  expect(html.match(/<\/svg>/g)).toHaveLength(5);
  expect(html).toMatch(/<figure id="score-histogram"><svg\b/);
  const section = (id: string) =>
    html.slice(html.indexOf(`id="sub-${id}"`), html.indexOf('</section>', html.indexOf(`id="sub-${id}"`)));
  expect(section('alice')).toMatch(/<figure class="loss-curve"><svg\b[\s\S]*<figure class="test-scatter"><svg\b/);
  expect(section('alice')).toContain('test RMSE 2.65 °C');
  expect(section('bob')).toMatch(/<figure class="loss-curve"><svg\b/);
  expect(section('bob')).not.toContain('test-scatter');
  expect(section('bob')).toContain('No test-split evaluation: trainRnn returned no usable parameters');
  expect(section('dave')).not.toContain('<svg');
  // SVG ids are unique on the page (each chart has its own prefix).
  const ids = [...html.matchAll(/\bid="([^"]*)"/g)].map((m) => m[1]);
  expect(new Set(ids).size).toBe(ids.length);
});

test('the score histogram: ten bins of a tenth of the maximum, the last one including it', () => {
  expect(scoreHistogram(fixture()).map((bin) => bin.count)).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 0, 2]);
  expect(tableRows(html, 'histogram')).toEqual([
    ['0–2', '1'],
    ['2–4', '0'],
    ['4–6', '1'],
    ['6–8', '0'],
    ['8–10', '0'],
    ['10–12', '0'],
    ['12–14', '0'],
    ['14–16', '0'],
    ['16–18', '0'],
    ['18–20', '2'],
  ]);
});

test('pass rate per check: counts per status and the share of all submissions that passed', () => {
  expect(checkPassRates(fixture()).map((rate) => [rate.id, rate.counts.passed, rate.total])).toEqual([
    ['a', 3, 4],
    ['b', 1, 4],
    ['c', 1, 4],
  ]);
  // Check, Passed, Failed, Error, Timeout, Memory, Skipped, Pass rate
  expect(tableRows(html, 'pass-rates')).toEqual([
    ['a', '3', '0', '0', '0', '0', '1', '75.0 %'],
    ['b hidden', '1', '2', '0', '0', '0', '1', '25.0 %'],
    ['c', '1', '1', '0', '1', '0', '1', '25.0 %'],
  ]);
});

test('most common diagnosed mistakes: by submissions, most frequent first; passed checks do not count', () => {
  expect(commonMistakes(fixture())).toEqual([
    { diagnosis: 'b.mistake', count: 2, checks: ['b'], submissions: ['bob', 'carol <b>&'] },
    { diagnosis: 'c.mistake', count: 1, checks: ['c'], submissions: ['bob'] },
  ]);
  expect(tableRows(html, 'mistakes')).toEqual([
    ['b.mistake', '2', 'b', 'bob, carol <b>&'],
    ['c.mistake', '1', 'c', 'bob'],
  ]);
});

test('the submissions table: status, score and test RMSE', () => {
  expect(tableRows(html, 'scores').map((row) => [row[0], row[1], row[2], row[row.length - 1]])).toEqual([
    ['alice', 'graded', '20/20', '2.65'],
    ['bob', 'graded', '5/20', '–'],
    ['carol <b>&', 'graded', '19.5/20', '–'],
    ['dave', 'error', '0/20', '–'],
  ]);
});

test('a staff report: hidden checks keep their full message, diagnosis and replay (like report.md)', () => {
  expect(html).toContain(escapeHtml(`RNN.forward is wrong: ${SECRET}\nyour value: 0.5`));
  expect(html).toContain('diagnosis: <code>b.mistake</code>');
  expect(html).toContain('replay: seed 7, path <code>3</code>');
  expect(html).toContain('rnn.ts:3:1: Unexpected &quot;}&quot;');
});

test('text from submissions is escaped', () => {
  expect(html).not.toContain('carol <b>&');
  expect(html).not.toContain('wrong again <script>');
  expect(html).toContain('carol &lt;b&gt;&amp;');
  expect(html).toContain('wrong again &lt;script&gt;');
});

test('deterministic: the same report gives the same bytes, without timing fields', () => {
  const again = renderHtml(JSON.parse(JSON.stringify(fixture())) as GradeReport);
  expect(again).toBe(html);
  const retimed = fixture();
  retimed.generatedAt = '2031-06-01T12:00:00.000Z';
  for (const s of retimed.submissions) {
    s.durationMs *= 7;
    for (const c of s.checks) c.durationMs += 1;
  }
  expect(renderHtml(retimed)).toBe(html);
});

describe('SubmissionReport.training: the trained parameters run through the reference on the test split', () => {
  const rng = createRng(11);
  const split = Array.from({ length: 500 }, () => Array.from({ length: 6 }, () => rng.normal(0, 1)));
  const data = { get: async () => split, testSplit: async () => ({ test: split, tempMean: 10, tempStd: 5 }) };
  const source = new RNN(10, 6, createRng(3));
  const draw = () => rng.normal(0, 0.3);
  const params = {
    u: source.u.map((row) => row.map(draw)),
    w: source.w.map((row) => row.map(draw)),
    v: source.v.map(draw),
    b: source.b.map(draw),
    c: 0.1,
  };
  const curve = Array.from({ length: 500 }, (_, i) => 1 / (i + 1) + 0.0123456789);

  test('losses to 5 significant digits; RMSE in °C and at most 400 evenly spaced [true, predicted] points, de-standardised', async () => {
    const training = await trainingReport({ curve, trainedParams: params }, data);
    const rnn = new RNN(10, 6);
    Object.assign(rnn, { u: params.u, w: params.w, v: params.v, b: params.b, c: params.c });
    const expected = evaluateOnTestSet(rnn, split, 5);
    expect(expected.count).toBe(476);
    expect(training!.losses).toHaveLength(500);
    expect(training!.losses[0]).toBe(1.0123);
    expect(training!.losses[499]).toBe(0.014346);
    expect(training!.testRmseCelsius).toBe(Math.round(expected.rmseCelsius * 1e4) / 1e4);
    expect(training!.testPoints).toHaveLength(MAX_TEST_POINTS);
    const at = (k: number) => [
      Math.round((expected.yTrue[k] * 5 + 10) * 1e4) / 1e4,
      Math.round((expected.yPred[k] * 5 + 10) * 1e4) / 1e4,
    ];
    expect(training!.testPoints![0]).toEqual(at(0));
    expect(training!.testPoints![1]).toEqual(at(1)); // floor(1 × 476 / 400)
    expect(training!.testPoints![399]).toEqual(at(474)); // floor(399 × 476 / 400)
    // The parameters were not changed.
    expect(params.c).toBe(0.1);
  });

  test('without parameters, with unusable ones or without a test split: the losses only; without losses: nothing', async () => {
    expect(await trainingReport({ curve }, data)).toEqual({ losses: curve.map((x) => Number(x.toPrecision(5))) });
    expect(Object.keys((await trainingReport({ curve, trainedParams: { ...params, v: [1, 2] } }, data))!)).toEqual([
      'losses',
    ]);
    expect(Object.keys((await trainingReport({ curve, trainedParams: { ...params, c: NaN } }, data))!)).toEqual([
      'losses',
    ]);
    expect(Object.keys((await trainingReport({ curve, trainedParams: params }, { get: data.get }))!)).toEqual([
      'losses',
    ]);
    const failing = { get: data.get, testSplit: () => Promise.reject(new Error('no data')) };
    expect(Object.keys((await trainingReport({ curve, trainedParams: params }, failing))!)).toEqual(['losses']);
    expect(await trainingReport({}, data)).toBeUndefined();
    expect(await trainingReport({ curve: [0.5, NaN] }, data)).toBeUndefined();
  });
});

describe('the hostile batch, read by an HTML5 parser (parse5)', () => {
  type Node = DefaultTreeAdapterMap['node'];
  const elements = (node: Node): DefaultTreeAdapterMap['element'][] => {
    const children = 'childNodes' in node ? (node.childNodes as Node[]) : [];
    const self = 'tagName' in node ? [node] : [];
    const inTemplate = 'content' in node ? elements(node.content) : [];
    return [...self, ...children.flatMap(elements), ...inTemplate];
  };
  const textOf = (node: Node): string =>
    'value' in node && node.nodeName === '#text'
      ? (node as { value: string }).value
      : 'childNodes' in node
        ? (node.childNodes as Node[]).map(textOf).join('')
        : '';
  const report = hostileReport();
  const page = renderHtml(report);
  const errors: string[] = [];
  const document = parse(page, {
    onParseError: (error) => errors.push(`${error.code} at ${error.startLine}:${error.startCol}`),
  });
  const all = elements(document);

  test('well-formed HTML5: no parse error, no element or attribute from a submission', () => {
    expect(errors).toEqual([]);
    expect(
      all.filter((el) => ['img', 'script', 'iframe', 'object', 'embed'].includes(el.tagName)).map((el) => el.tagName),
    ).toEqual([]);
    expect(
      all.flatMap((el) =>
        el.attrs.filter((attr) => /^on/i.test(attr.name)).map((attr) => `${el.tagName}@${attr.name}`),
      ),
    ).toEqual([]);
  });

  test('every id and message comes back as its text (control characters as visible symbols)', () => {
    const headings = all.filter(
      (el) =>
        el.tagName === 'h3' &&
        el.parentNode &&
        'attrs' in el.parentNode &&
        el.parentNode.attrs.some((a) => a.name === 'class' && a.value.includes('submission')),
    );
    const visible = (text: string) =>
      text
        .replace(/\r\n?/g, '\n')
        .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, (c) =>
          c === '\u007F' ? '\u2421' : c < ' ' ? String.fromCharCode(0x2400 + c.charCodeAt(0)) : '\uFFFD',
        );
    expect(headings.map((h) => textOf(h).split(/ (graded|error) /)[0])).toEqual(
      report.submissions.map((s) => visible(s.id)),
    );
    const messages = all
      .filter((el) => el.tagName === 'td' && el.attrs.some((a) => a.name === 'class' && a.value === 'msg'))
      .map(textOf);
    expect(messages.some((text) => text.includes(HOSTILE.html) && text.includes(HOSTILE.entities))).toBe(true);
    const pageText = textOf(document);

    expect(pageText).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
    expect(pageText).toContain(HOSTILE_IDS.markup);
  });
});

describe('the reason given for a missing test-split plot', () => {
  test('graded without --format html (then re-rendered): says so and how to get it, never blames the submission', () => {
    const report = fixture();
    for (const submission of report.submissions)
      if (submission.training) submission.training = { losses: submission.training.losses };
    expect(missingTestPlotReason(report)).toMatch(
      /^No test-split evaluation in this report: the grader evaluates trained networks on the test split only when grading with --format html/,
    );
    const html = renderHtml(report);
    expect(html).toContain('Grade again with --format html to see this plot.');
    expect(html).not.toContain('trainRnn returned no usable parameters');
  });

  test("others were evaluated: this network's parameters were not usable", () => {
    expect(missingTestPlotReason(fixture())).toMatch(
      /^No test-split evaluation: trainRnn returned no usable parameters/,
    );
  });
});
