/**
 * Gradescope's results.json on the hostile batch (tests/helpers/hostile-report.ts), validated
 * with ajv against a JSON Schema written from Gradescope's published specification
 * (tests/fixtures/schemas/gradescope-results.schema.json). Everything is declared plain text, so
 * a compile error quoting HTML is shown as written, never rendered.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { studentReport } from '../../grader/reports/common';
import { renderGradescope } from '../../grader/reports/gradescope';
import { HOSTILE_IDS, hostileReport } from '../helpers/hostile-report';

const schema = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'schemas', 'gradescope-results.schema.json'), 'utf8'),
) as object;
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(
  schema,
);

const report = hostileReport();
const files = renderGradescope(studentReport(report));

test.each(report.submissions.map((s, i) => [i, JSON.stringify(s.id)] as const))(
  'submission %i (%s): valid against the published spec, all text',
  (index) => {
    const submission = report.submissions[index];
    const results = JSON.parse(files.get(submission.id)!) as Record<string, unknown> & {
      tests: Array<Record<string, unknown>>;
    };
    expect([validate(results), validate.errors]).toEqual([true, null]);
    expect(results).toMatchObject({
      score: submission.score,
      output_format: 'text',
      test_output_format: 'text',
      test_name_format: 'text',
    });
    for (const test of results.tests) expect(test).toMatchObject({ output_format: 'text', name_format: 'text' });
    const text = [
      results.output as string,
      ...results.tests.flatMap((t) => [t.name as string, t.output as string]),
    ].join('\n');

    expect(text).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
    expect(text).not.toContain('expected yHat'); // the hidden check's message
  },
);

test('a submission that could not be graded: its error at the top, and every check says why it was not run', () => {
  const broken = JSON.parse(files.get(HOSTILE_IDS.lines)!) as { output: string; tests: Array<{ output: string }> };
  expect(broken.output.startsWith('Your submission could not be graded: rnn.ts:3:1: Unexpected "}"\n')).toBe(true);
  for (const test of broken.tests)
    expect(
      test.output.startsWith('SKIPPED: Not run: your submission could not be graded: rnn.ts:3:1: Unexpected "}"'),
    ).toBe(true);
});

test('the schema can fail: an unknown format, a bad visibility or a misspelt field is refused', () => {
  const good = JSON.parse(files.get(HOSTILE_IDS.formula)!) as Record<string, unknown>;
  expect(validate({ ...good, output_format: 'markdown' })).toBe(false);
  expect(validate({ ...good, visibility: 'students' })).toBe(false);
  expect(validate({ ...good, stdout_visiblity: 'hidden' })).toBe(false);
  expect(validate({ tests: [{ name: 'no score anywhere' }] })).toBe(false);
});
