/**
 * The Markdown reports (report.md, feedback/<id>.md, the CI step summary) on the hostile batch
 * (tests/helpers/hostile-report.ts), read by a CommonMark + GFM-tables parser (markdown-it, with
 * raw HTML allowed as GitHub's renderer allows it before sanitising): every table keeps its rows
 * and cells, every id comes back as the text it was, and no submission byte becomes HTML, an
 * entity, a code span's end, or a CI log command.
 */
import MarkdownIt from 'markdown-it';
type Token = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];
import { renderFailureSummary, renderSummary } from '../../grader/ci/summary';
import { studentReport } from '../../grader/reports/common';
import { renderFeedbackFiles, renderMarkdown } from '../../grader/reports/markdown';
import { plainLine } from '../../grader/reports/plain-text';
import { HOSTILE_IDS, hostileReport } from '../helpers/hostile-report';

const md = new MarkdownIt({ html: true });
const report = hostileReport();

/** The text a reader sees in an inline token: text, code spans and line breaks. */
function inlineText(token: Token): string {
  return (token.children ?? [])
    .map((child) =>
      child.type === 'text' || child.type === 'code_inline'
        ? child.content
        : child.type === 'softbreak' || child.type === 'hardbreak'
          ? '\n'
          : '',
    )
    .join('');
}

/** Tables as rows of cell texts (header row first). */
function tables(tokens: Token[]): string[][][] {
  const found: string[][][] = [];
  let rows: string[][] | undefined;
  for (const token of tokens) {
    if (token.type === 'table_open') rows = [];
    else if (token.type === 'table_close') {
      found.push(rows!);
      rows = undefined;
    } else if (rows && token.type === 'tr_open') rows.push([]);
    else if (rows && token.type === 'inline') rows[rows.length - 1].push(inlineText(token));
  }
  return found;
}

function expectInert(markdown: string): void {
  const tokens = md.parse(markdown, {});
  const all = tokens.flatMap((token) => [token, ...(token.children ?? [])]);
  expect(
    all.filter((token) => token.type === 'html_inline' || token.type === 'html_block').map((token) => token.content),
  ).toEqual([]);
  const html = md.render(markdown);
  expect(html).not.toMatch(/<(img|script)\b/i);

  expect(markdown).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
  // Printed to the CI log too: no line a runner would execute.
  expect(markdown.split('\n').filter((line) => /^\s*::/.test(line))).toEqual([]);
}

test('report.md: tables keep their rows and cells, headings and code spans give the ids back', () => {
  const markdown = renderMarkdown(report);
  expectInert(markdown);
  const tokens = md.parse(markdown, {});
  const [scores, items, checks] = tables(tokens);
  expect(scores.map((row) => row.length)).toEqual(Array(report.submissions.length + 1).fill(9));
  expect(scores.slice(1).map((row) => row[0])).toEqual(report.submissions.map((s) => plainLine(s.id)));
  expect(items).toHaveLength(report.rubric.items.length + 1);
  expect(checks).toHaveLength(4 + 1);
  const headings = tokens
    .filter(
      (token, i) => token.type === 'inline' && tokens[i - 1].type === 'heading_open' && tokens[i - 1].tag === 'h3',
    )
    .map(inlineText);
  expect(headings).toEqual(report.submissions.map((s) => plainLine(s.id)));
  const codes = tokens
    .flatMap((token) => token.children ?? [])
    .filter((token) => token.type === 'code_inline')
    .map((token) => token.content);
  for (const submission of report.submissions) expect(codes).toContain(plainLine(submission.path));
  // The entity-like id stays text: &nbsp; and &#1; are shown as written.
  expect(headings[1]).toBe(HOSTILE_IDS.markup);
});

test.each(report.submissions.map((s, i) => [i, JSON.stringify(s.id)] as const))(
  'feedback file %i (%s): inert, its heading the id',
  (index) => {
    const submission = report.submissions[index];
    const markdown = renderFeedbackFiles(studentReport(report)).get(submission.id)!;
    expectInert(markdown);
    const tokens = md.parse(markdown, {});
    expect(inlineText(tokens[1])).toBe(`Feedback: ${plainLine(submission.id)}`);
    expect(markdown).not.toContain('expected yHat');
  },
);

test('the CI step summary: one table row per check, four cells each, the id in its code span', () => {
  for (const submission of report.submissions) {
    const one = { ...report, submissions: [submission] };
    const markdown = renderSummary(studentReport(one));
    expectInert(markdown);
    const tokens = md.parse(markdown, {});
    const [table] = tables(tokens);
    expect(table.map((row) => row.length)).toEqual(Array(submission.checks.length + 2).fill(4));
    expect(table.slice(1, -1).map((row) => row[0].replace(/ \(hidden\)$/, ''))).toEqual(
      submission.checks.map((check) => check.id),
    );
    const code = tokens.flatMap((token) => token.children ?? []).find((token) => token.type === 'code_inline')!;
    expect(code.content).toBe(plainLine(submission.id));
  }
  expectInert(renderFailureSummary(`grader failed\n::error::x\n${HOSTILE_IDS.markup}`));
});

test('the neutralising can fail: raw text would have broken the table and passed HTML through', () => {
  const raw = `| a | b |\n|---|---|\n| ${HOSTILE_IDS.markup} | 1 |\n`;
  const tokens = md.parse(raw, {});
  expect(tokens.flatMap((token) => token.children ?? []).some((token) => token.type === 'html_inline')).toBe(true);
  expect(tables(tokens)[0][1]).not.toEqual([HOSTILE_IDS.markup, '1']);
});
