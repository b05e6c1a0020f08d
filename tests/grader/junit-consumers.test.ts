/**
 * junit.xml as its real readers read it, on the hostile batch (tests/helpers/hostile-report.ts):
 * Jenkins' xUnit schema (junit-10.xsd, checked with xmllint from Debian's libxml2-utils, which
 * .ci/install-system-deps.sh installs), xml-js (mikepenz/action-junit-report, the handout's
 * workflow) and xml2js (dorny/test-reporter). A file they cannot parse is skipped with a log line
 * and the run shows no tests at all, so every id and message must come through as text.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xml2js as xmlJsParse } from 'xml-js';
import { parseStringPromise } from 'xml2js';
import { renderStudentJunit } from '../../grader/ci/summary';
import { renderJunit, xmlSafe } from '../../grader/reports/junit';
import { HOSTILE_IDS, hostileReport } from '../helpers/hostile-report';

const XSD = join(__dirname, '..', 'fixtures', 'schemas', 'junit-10.xsd');

const xmllint = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
const haveXmllint = !xmllint.error;
if (!haveXmllint) {
  // CI installs it (.ci/install-system-deps.sh); only a machine without it may skip.
  console.warn(
    '\n\n*** xmllint NOT FOUND: the junit.xml schema test is SKIPPED. Install it: apt-get install libxml2-utils (or run .ci/install-system-deps.sh). ***\n\n',
  );
}

function validate(xml: string): { status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'junit-xsd-'));
  try {
    writeFileSync(join(dir, 'junit.xml'), xml);
    const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', XSD, join(dir, 'junit.xml')], {
      encoding: 'utf8',
    });
    return { status: run.status, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a reader should get back for a text: XML-forbidden characters replaced, line ends as \n. */
const asXml = (text: string) => xmlSafe(text.replace(/\r\n?/g, '\n'));

const report = hostileReport();
const staff = renderJunit(report);
const student = renderStudentJunit(report);

(haveXmllint ? test : test.skip)('valid against Jenkins xUnit junit-10.xsd (xmllint), staff and student files', () => {
  expect(validate(staff)).toEqual({ status: 0, stderr: expect.stringContaining('validates') });
  expect(validate(student)).toEqual({ status: 0, stderr: expect.stringContaining('validates') });
  // The schema test can fail: a skipped count on <testsuites> (not in junit-10.xsd) is refused.
  expect(validate(staff.replace('<testsuites name=', '<testsuites skipped="0" name=')).status).not.toBe(0);
});

interface XmlJsNode {
  _attributes?: Record<string, string>;
  _text?: string;
  [child: string]: unknown;
}
const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

test('xml-js (action-junit-report) reads every suite, test case and message back as the text it was', () => {
  const doc = xmlJsParse(staff, { compact: true }) as { testsuites: XmlJsNode };
  const suites = list(doc.testsuites.testsuite as XmlJsNode[]);
  expect(suites.map((suite) => suite._attributes!.name)).toEqual(report.submissions.map((s) => asXml(s.id)));
  expect(doc.testsuites._attributes!.tests).toBe('24');
  expect(doc.testsuites._attributes!.name).toBe(`grading: ${report.rubric.name}`);
  suites.forEach((suite, i) => {
    const submission = report.submissions[i];
    const cases = list(suite.testcase as XmlJsNode[]);
    expect(cases.map((c) => c._attributes!.classname)).toEqual(
      submission.checks.map((check) => asXml(`${submission.id}.${check.target}`)),
    );
    expect(cases.every((c) => c._attributes!.file === 'rnn.ts')).toBe(true);
    cases.forEach((c, j) => {
      const check = submission.checks[j];
      const verdict = (c.failure ?? c.error ?? c.skipped) as XmlJsNode | undefined;
      expect(verdict === undefined).toBe(check.status === 'passed');
      if (verdict && submission.status === 'graded' && check.status !== 'skipped')
        expect(verdict._text).toContain(asXml(check.message));
    });
  });
  // The entity-like text is text, not an entity.
  expect(suites[1]._attributes!.name).toBe(HOSTILE_IDS.markup);
  expect(suites[1]._attributes!.name).toContain('&nbsp;&#1;]]>');
});

test('xml2js (dorny/test-reporter) reads the same suites, cases and counts', async () => {
  const doc = (await parseStringPromise(student)) as {
    testsuites: {
      $: Record<string, string>;
      testsuite: Array<{
        $: Record<string, string>;
        testcase: Array<{ $: Record<string, string>; failure?: unknown[]; error?: unknown[]; skipped?: unknown[] }>;
      }>;
    };
  };
  expect(doc.testsuites.testsuite.map((suite) => suite.$.name)).toEqual(report.submissions.map((s) => asXml(s.id)));
  const cases = doc.testsuites.testsuite.flatMap((suite) => suite.testcase);
  expect(cases).toHaveLength(24);
  const counted = { failures: 0, errors: 0 };
  for (const c of cases) {
    if (c.failure) counted.failures++;
    if (c.error) counted.errors++;
  }
  expect(counted).toEqual({ failures: Number(doc.testsuites.$.failures), errors: Number(doc.testsuites.$.errors) });
  // Student view: the hidden check's message never reaches this file.
  expect(student).not.toContain('expected yHat');
});

test('characters XML cannot hold are replaced, the rest is escaped (never raw markup)', () => {
  for (const xml of [staff, student]) {
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
    expect(xml).not.toMatch(/[\uD800-\uDFFF]/u);
    expect(xml).not.toContain('<img');
    expect(xml).not.toContain('&nbsp;');
    expect(xml).toContain('&amp;nbsp;&amp;#1;]]&gt;');
  }
});
