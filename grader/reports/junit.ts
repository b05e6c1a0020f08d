/**
 * junit.xml: one <testsuite> per submission, one <testcase> per check (name = check id,
 * classname = `<submission id>.<target>`), for CI dashboards. Written for course staff: messages
 * are complete, hidden checks included. A failed check is a <failure>; an error, timeout or
 * memory verdict is an <error>; a check not run is <skipped> (or an <error> when the whole
 * submission could not be graded, since it scores 0).
 *
 * Every attribute and text goes through `xmlText`: the file must stay well-formed and valid
 * against Jenkins' junit-10.xsd whatever a submission's id or messages hold, or the CI reporters
 * skip it and show no tests at all.
 */
import { create } from 'xmlbuilder2';
import type { AnyCheckReport, AnyReport, AnySubmissionReport } from '../report-types';
import { formatPoints } from './common';

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** XML 1.0 cannot hold most control characters, lone surrogates or U+FFFE/U+FFFF, even escaped: replace them. */
export function xmlSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu, '\uFFFD');
}

/**
 * Text for an attribute or text node. xmlbuilder2 escapes `&` only when it does not start
 * something entity-like, so `&nbsp;` or `&#1;` would reach the file raw (undefined entity, or
 * a character XML forbids). Escaping every `&` first is exact: xmlbuilder2 leaves the `&amp;`
 * it then sees alone. Line ends become `\n` (a lone CR does not survive an XML parser as one).
 */
function xmlText(text: string): string {
  return xmlSafe(text.replace(/\r\n?/g, '\n')).replace(/&/g, '&amp;');
}

function kind(check: AnyCheckReport, submission: AnySubmissionReport): 'passed' | 'failure' | 'error' | 'skipped' {
  if (check.status === 'passed') return 'passed';
  if (check.status === 'failed') return 'failure';
  if (check.status === 'skipped') return submission.status === 'error' ? 'error' : 'skipped';
  return 'error';
}

/** Staff or student junit.xml: it shows whatever the view it is given holds (grade-pr writes the student one). */
export function renderJunit(report: AnyReport): string {
  const totals = { tests: 0, failures: 0, errors: 0, ms: 0 };
  const suites = report.submissions.map((submission) => {
    const counts = { tests: submission.checks.length, failures: 0, errors: 0, skipped: 0 };
    for (const check of submission.checks) {
      const k = kind(check, submission);
      if (k === 'failure') counts.failures++;
      else if (k === 'error') counts.errors++;
      else if (k === 'skipped') counts.skipped++;
    }
    totals.tests += counts.tests;
    totals.failures += counts.failures;
    totals.errors += counts.errors;
    totals.ms += submission.durationMs;
    return { submission, counts };
  });

  // junit-10.xsd has no `skipped` on <testsuites> (only on <testsuite>).
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: xmlText(`grading: ${report.rubric.name}`),
    tests: String(totals.tests),
    failures: String(totals.failures),
    errors: String(totals.errors),
    time: seconds(totals.ms),
  });
  for (const { submission, counts } of suites) {
    const suite = root.ele('testsuite', {
      name: xmlText(submission.id),
      tests: String(counts.tests),
      failures: String(counts.failures),
      errors: String(counts.errors),
      skipped: String(counts.skipped),
      time: seconds(submission.durationMs),
    });
    const properties = suite.ele('properties');
    const property = (name: string, value: string) => properties.ele('property', { name, value: xmlText(value) });
    property('path', submission.path);
    property('status', submission.status);
    property('score', formatPoints(submission.score));
    property('maxScore', formatPoints(submission.maxScore));
    property('seed', String(submission.seed));
    for (const check of submission.checks) {
      // `file`: what the check judges lives in the student's rnn.ts (reporters link annotations to it).
      const testcase = suite.ele('testcase', {
        name: xmlText(check.id),
        classname: xmlText(`${submission.id}.${check.target}`),
        file: 'rnn.ts',
        time: seconds(check.durationMs),
      });
      const k = kind(check, submission);
      if (k === 'passed') continue;
      // A check not run because the whole submission failed carries that failure's reason.
      const message =
        check.status === 'skipped' && submission.status === 'error' && submission.error
          ? `Not run: ${submission.error}`
          : check.message;
      const firstLine = xmlText(message.split(/\r\n|\r|\n/)[0] ?? '');
      const body = xmlText(
        [
          `${check.title}`,
          `status: ${check.status}, points: ${formatPoints(check.points)}/${formatPoints(check.maxPoints)}, visibility: ${check.visibility}`,
          check.diagnosis ? `diagnosis: ${check.diagnosis}` : '',
          check.replay ? `replay: seed ${check.replay.seed}, path ${check.replay.path}` : '',
          '',
          message,
        ]
          .filter((line, i) => line !== '' || i === 4)
          .join('\n'),
      );
      if (k === 'skipped') testcase.ele('skipped', { message: firstLine });
      else testcase.ele(k, { message: firstLine, type: check.status }).txt(body);
    }
    const notes = [
      ...(submission.error ? [`error: ${submission.error}`] : []),
      ...submission.warnings.map((warning) => `warning: ${warning}`),
    ];
    if (notes.length > 0) suite.ele('system-err').txt(xmlText(notes.join('\n')));
  }
  return `${root.end({ prettyPrint: true })}\n`;
}
