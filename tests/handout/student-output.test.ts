/**
 * The pieces of the student's `npm test` output: the training chart, warnings for 0-point checks,
 * error locations, and text from the submission made inert for a terminal and a CI log.
 */
import MarkdownIt from 'markdown-it';
import { lossChart, trainingView } from '../../checks/student/chart';
import { locateError } from '../../checks/executors/error-location';
import { annotation, escapeData, escapeProperty, jobSummary } from '../../checks/student/github';
import type { ReportedResult } from '../../checks/student/report';
import { runSucceeded, standingOf, totalsOf } from '../../checks/student/report';
import { inertForTerminal, renderText } from '../../checks/student/text';
import { runReport } from '../helpers/run-report';

const decaying = Array.from({ length: 500 }, (_, i) => 0.04 + 1.2 * Math.exp(-i / 60));

function result(id: string, points: number, status: ReportedResult['status'], message = ''): ReportedResult {
  return {
    id,
    target: id.startsWith('grad') ? 'RNN.computeGradB' : 'rnn.ts',
    title: `title of ${id}`,
    visibility: 'public',
    seed: 1,
    durationMs: 1,
    status,
    message,
    points,
  };
}

describe('the training view', () => {
  it('states the statistic against the threshold and draws the threshold line on a log scale', () => {
    const view = trainingView(decaying, 0.075);
    expect(view.statistic).toBeCloseTo(0.04 + 1.2 * Math.exp(-487 / 60), 2);
    expect(view.verdict[0]).toMatch(/^Mean of the last 25 losses: 0\.04\d\d \(it must be below 0\.075\) ✓$/);
    expect(view.chart.filter((line) => line.includes('← threshold'))).toHaveLength(1);
    expect(view.chart.find((line) => line.includes('← threshold'))).toMatch(/^ 0\.075 ┤/);
    expect(view.chart.join('\n')).toContain('log scale');
  });

  it('says divergence in words and keeps the axis labels round, however large the losses', () => {
    const exploding = decaying.map((loss, i) => loss * Math.exp(i / 4));
    const view = trainingView(exploding, 0.075);
    expect(view.verdict.join(' ')).toMatch(/Training diverged: the loss grew from about .* to \d\.\d\de\+\d+/);
    for (const line of view.chart.slice(0, -2)) expect(line.slice(0, 6)).toMatch(/^ *(\d+(\.\d+)?)?$/);
    expect(view.chart.join('\n')).not.toMatch(/e\+/);
  });

  it('names the step where the loss became NaN or Infinity', () => {
    expect(trainingView([...decaying.slice(0, 40), Number.NaN, Number.NaN], 0.075).verdict[0]).toMatch(
      /^Training diverged: the loss became NaN at step 41 of 42\./,
    );
    expect(trainingView([1, 2, Number.POSITIVE_INFINITY], 0.075).verdict[0]).toMatch(/became Infinity at step 3/);
  });

  it('draws nothing for no finite loss', () => {
    expect(lossChart([Number.NaN], 0.075)).toEqual([]);
  });
});

describe('warnings and totals', () => {
  it('counts a failing 0-point check as a warning, not a failure', () => {
    const run = runReport([
      result('contract.exports', 0, 'failed', 'an extra export'),
      result('grad.b.value', 8, 'passed'),
    ]);
    expect(standingOf(run.results[0])).toBe('warning');
    expect(totalsOf(run)).toMatchObject({ earned: 8, max: 8, failed: 0, warnings: 1 });
    expect(runSucceeded(run)).toBe(true);
    const text = renderText(run);
    expect(text).toContain('Warnings (0-point checks, they cost nothing):');
    expect(text).not.toContain('Failing checks');
    expect(text).toContain('Public checks: 8 / 8 points. (1 warning)');
  });
});

describe('error locations', () => {
  it('names the first frame in rnn.ts and shows its line', () => {
    const stack =
      'TypeError: x\n    at helper (/h/lab/linalg.ts:3:1)\n    at RNN.computeGradB (/h/rnn.ts:2:9)\n    at /h/rnn.ts:7:1';
    expect(locateError(stack, '/h/rnn.ts', ['a', '  const y = x[0];'])).toBe(
      '  at rnn.ts:2:9\n  2 |   const y = x[0];',
    );
    expect(locateError('Error\n    at /elsewhere.js:1:1', '/h/rnn.ts', [])).toBeUndefined();
  });
});

describe('text from the submission is inert', () => {
  const hostile = 'bad\u001b[2J\u001b]8;;http://x\u0007link\r\n::error::forged%0A\u202eevil';

  it('on a terminal: no escape sequences or bidi controls', () => {
    const text = inertForTerminal(hostile);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(text).toContain('::error::forged');
  });

  it('in a workflow command: one line, with % CR LF (and : , in properties) escaped', () => {
    expect(escapeData('a%b\r\nc')).toBe('a%25b%0D%0Ac');
    expect(escapeProperty('x: y, z')).toBe('x%3A y%2C z');
    const line = annotation('error', { file: 'rnn.ts', line: 3, title: 'RNN.computeGradB: grad.b.value' }, hostile);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(/^::error file=rnn\.ts,line=3,title=RNN\.computeGradB%3A grad\.b\.value::bad\?\[2J/);
    expect(line).toContain('%0A::error::forged%250A');
  });

  it('in the job summary: HTML-escaped inside <pre>', () => {
    const markdown = jobSummary(
      runReport([result('grad.b.value', 8, 'failed', '</pre><img src=x onerror=alert(1)> | `x`')]),
    );
    expect(markdown).toContain('<pre>&lt;/pre&gt;&lt;img src=x onerror=alert(1)&gt; | `x`</pre>');
    expect(markdown).not.toContain('<img');
    expect(markdown).toContain('| `RNN.computeGradB` | 0 / 8 | ❌ |');
  });

  it('in the job summary, as a GitHub-flavoured Markdown parser reads it: one table, no markup from the submission', () => {
    const message = '</pre></details><img src=x onerror=alert(1)>\n| a | b |\n# heading\n<script>x</script>';
    const run = runReport([
      result('contract.exports', 0, 'passed'),
      result('grad.b.value', 8, 'failed', message),
      result('grad.b.shape', 2, 'passed'),
    ]);
    const markdown = jobSummary(run);
    // GitHub renders the summary as GitHub-flavoured Markdown with (sanitised) HTML allowed.
    const html = new MarkdownIt({ html: true }).render(markdown);
    expect(html.match(/<table>/g)).toHaveLength(1);
    const cells = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
      [...row[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => cell[1]),
    );
    expect(cells).toEqual([
      ['function', 'points', 'checks'],
      ['<code>rnn.ts</code>', '0 / 0', '✅'],
      ['<code>RNN.computeGradB</code>', '2 / 10', '❌ ✅'],
    ]);
    expect(html).not.toMatch(/<img|<script|<h1/);
    // the message is one <pre> block whose text, once the entities are read, is the message itself
    const pre = /<pre>([\s\S]*?)<\/pre>/.exec(html)![1];
    const decoded = pre
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
    expect(decoded).toBe(message);
  });
});
