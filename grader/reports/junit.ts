/**
 * junit.xml: one <testsuite> per submission, one <testcase> per check (name = check id,
 * classname = `<submission id>.<target>`), for CI dashboards. Written for course staff: messages
 * are complete, hidden checks included. A failed check is a <failure>; an error, timeout or
 * memory verdict is an <error>; a check not run is <skipped> (or an <error> when the whole
 * submission could not be graded, since it scores 0).
 */
import { create } from 'xmlbuilder2';
import type { CheckReport, GradeReport, SubmissionReport } from '../report-types';
import { formatPoints } from './common';

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** XML 1.0 cannot hold most control characters, even escaped: replace them. */
function xmlSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD');
}

function kind(check: CheckReport, submission: SubmissionReport): 'passed' | 'failure' | 'error' | 'skipped' {
  if (check.status === 'passed') return 'passed';
  if (check.status === 'failed') return 'failure';
  if (check.status === 'skipped') return submission.status === 'error' ? 'error' : 'skipped';
  return 'error';
}

export function renderJunit(report: GradeReport): string {
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0, ms: 0 };
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
    totals.skipped += counts.skipped;
    totals.ms += submission.durationMs;
    return { submission, counts };
  });

  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: `grading: ${report.rubric.name}`,
    tests: String(totals.tests),
    failures: String(totals.failures),
    errors: String(totals.errors),
    skipped: String(totals.skipped),
    time: seconds(totals.ms),
  });
  for (const { submission, counts } of suites) {
    const suite = root.ele('testsuite', {
      name: submission.id,
      tests: String(counts.tests),
      failures: String(counts.failures),
      errors: String(counts.errors),
      skipped: String(counts.skipped),
      time: seconds(submission.durationMs),
    });
    const properties = suite.ele('properties');
    const property = (name: string, value: string) => properties.ele('property', { name, value: xmlSafe(value) });
    property('path', submission.path);
    property('status', submission.status);
    property('score', formatPoints(submission.score));
    property('maxScore', formatPoints(submission.maxScore));
    property('seed', String(submission.seed));
    for (const check of submission.checks) {
      const testcase = suite.ele('testcase', { name: check.id, classname: `${submission.id}.${check.target}`, time: seconds(check.durationMs) });
      const k = kind(check, submission);
      if (k === 'passed') continue;
      // A check not run because the whole submission failed carries that failure's reason.
      const message = check.status === 'skipped' && submission.status === 'error' && submission.error ? `Not run: ${submission.error}` : check.message;
      const firstLine = xmlSafe(message.split('\n')[0] ?? '');
      const body = xmlSafe(
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
    const notes = [...(submission.error ? [`error: ${submission.error}`] : []), ...submission.warnings.map((warning) => `warning: ${warning}`)];
    if (notes.length > 0) suite.ele('system-err').txt(xmlSafe(notes.join('\n')));
  }
  return `${root.end({ prettyPrint: true })}\n`;
}
