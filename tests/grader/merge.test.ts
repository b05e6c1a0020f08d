/**
 * Merging shard reports: the merged report equals the unsharded one, and every way of losing or
 * duplicating a submission is an error, never a silent drop.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeReports, MergeError, readReportDir } from '../../grader/merge';
import type { ShardInput } from '../../grader/merge';
import type { GradeReport, SubmissionReport } from '../../grader/report-types';
import { selectShard } from '../../grader/scheduler';
import { check, gradeReport, submission as reportSubmission } from '../helpers/report-fixtures';

function submission(id: string, score: number): SubmissionReport {
  const passed = score === 2;
  return reportSubmission({
    id,
    score,
    maxScore: 2,
    seed: id.length,
    checks: [
      check({
        id: 'loss.mse',
        target: 'mseLoss',
        title: 'mse',
        status: passed ? 'passed' : 'failed',
        points: score,
        maxPoints: 2,
        message: passed ? '' : 'wrong',
        durationMs: 5,
      }),
    ],
  });
}

const IDS = ['alice', 'bob', 'carol', 'dave', 'erin'];
const ALL = IDS.map((id, i) => submission(id, i % 3 === 0 ? 2 : 0));

function report(submissions: SubmissionReport[], extra: Partial<GradeReport> = {}): GradeReport {
  return gradeReport({
    rubric: {
      source: 'rubric.yaml',
      name: 'R',
      maxScore: 2,
      items: [{ id: 'loss.mse', kind: 'check', title: 'mse', maxPoints: 2, checks: ['loss.mse'] }],
    },
    convergence: { steps: 500, threshold: 0.075 },
    sandbox: 'sandbox A',
    submissions,
    ...extra,
  });
}

/** Shard `index` of `count` of ALL, as the grader would write it. */
function shard(index: number, count: number, source = `shard${index}`): ShardInput {
  return {
    source,
    report: report(selectShard(ALL, { index, count }), { shard: { index, count, totalSubmissions: ALL.length } }),
  };
}

test('merging every shard gives the unsharded report, in any order of the folders', () => {
  const whole = report(ALL);
  expect(mergeReports([shard(1, 2), shard(2, 2)], whole.generatedAt)).toEqual(whole);
  expect(mergeReports([shard(3, 3), shard(1, 3), shard(2, 3)], whole.generatedAt)).toEqual(whole);
  expect(mergeReports([shard(1, 1)], whole.generatedAt)).toEqual(whole);
});

test('a missing shard is an error', () => {
  expect(() => mergeReports([shard(1, 3), shard(3, 3)])).toThrow(
    new MergeError('shard 2/3 is missing (given: 1/3 (shard1), 3/3 (shard3))'),
  );
  expect(() => mergeReports([shard(2, 4)])).toThrow('shards 1/4, 3/4, 4/4 are missing (given: 2/4 (shard2))');
});

test('a shard given twice is an error', () => {
  expect(() => mergeReports([shard(1, 2), shard(2, 2, 'a'), shard(2, 2, 'b')])).toThrow(
    'shard 2/2 is given twice: a and b',
  );
});

test('an incomplete shard (a submission missing from it) is an error', () => {
  const broken = shard(1, 2);
  broken.report.submissions = broken.report.submissions.slice(1);
  expect(() => mergeReports([broken, shard(2, 2)])).toThrow(
    'shard 1/2 (shard1) holds 2 submissions, but shard 1/2 of 5 must hold 3: its report is incomplete',
  );
});

test('a submission in two reports is an error', () => {
  const a = { source: 'a', report: report([ALL[0], ALL[1]]) };
  const b = { source: 'b', report: report([ALL[1], ALL[2]]) };
  expect(() => mergeReports([a, b])).toThrow('the submission "bob" is in both a and b');
});

test('shards of different splits, batches, seeds or rubrics do not merge', () => {
  expect(() => mergeReports([shard(1, 2), shard(2, 3)])).toThrow(
    'shard2 is shard 2/3, but shard1 is shard 1/2: all shards must come from one --shard I/2 split',
  );
  const other = shard(2, 2);
  other.report.shard!.totalSubmissions = 6;
  expect(() => mergeReports([shard(1, 2), other])).toThrow(
    'shard2 was split from a batch of 6 submissions, but shard1 from 5: the shards were not graded from the same submissions',
  );
  const seeded = shard(2, 2);
  seeded.report.seed = 9;
  expect(() => mergeReports([shard(1, 2), seeded])).toThrow(
    'shard2 was graded with seed 9, but shard1 with seed 8; regrade with the same --seed',
  );
  const rubric = shard(2, 2);
  rubric.report.rubric = { ...rubric.report.rubric, source: 'other.yaml', maxScore: 3 };
  expect(() => mergeReports([shard(1, 2), rubric])).toThrow(
    'shard2 was graded with another rubric (other.yaml) than shard1 (rubric.yaml); regrade with the same --rubric',
  );
  expect(() => mergeReports([shard(1, 2), { source: 'plain', report: report([ALL[1]]) }])).toThrow(
    'plain is not a shard (graded without --shard), but shard1 is shard 1/2 (shard1); merge either shards of one batch or whole batches',
  );
});

test('reports graded with different convergence settings do not merge; the merged report keeps the setting', () => {
  const faster = shard(2, 2);
  faster.report.convergence = { steps: 400, threshold: 0.105 };
  expect(() => mergeReports([shard(1, 2), faster])).toThrow(
    new MergeError(
      'shard2 was graded with the convergence setting 400 steps, threshold 0.105, but shard1 with 500 steps, threshold 0.075; regrade with the same --rubric (its convergence: setting)',
    ),
  );
  // Same steps, a raised threshold (a rubric may raise it): still another setting.
  const raised = shard(2, 2);
  raised.report.convergence = { steps: 500, threshold: 0.08 };
  expect(() => mergeReports([shard(1, 2), raised])).toThrow('with the convergence setting 500 steps, threshold 0.08');
  // A report.json from before the setting was recorded cannot vouch for its setting.
  const unrecorded = shard(1, 2);
  delete unrecorded.report.convergence;
  expect(() => mergeReports([unrecorded, shard(2, 2)])).toThrow(
    'shard2 was graded with the convergence setting 500 steps, threshold 0.075, but shard1 with an unrecorded setting (a report.json from before the setting was recorded)',
  );
  // Whole batches too, not only shards.
  const a = { source: 'a', report: report([ALL[0]]) };
  const b = { source: 'b', report: report([ALL[1]], { convergence: { steps: 300, threshold: 0.14 } }) };
  expect(() => mergeReports([a, b])).toThrow('b was graded with the convergence setting 300 steps, threshold 0.14');
  const fast = (index: number) => {
    const input = shard(index, 2);
    input.report.convergence = { steps: 300, threshold: 0.14 };
    return input;
  };
  expect(mergeReports([fast(2), fast(1)]).convergence).toEqual({ steps: 300, threshold: 0.14 });
  // Two such reports still merge (they agree), and the merged one claims no setting either.
  const unrecordedToo = shard(2, 2);
  delete unrecordedToo.report.convergence;
  expect('convergence' in mergeReports([unrecorded, unrecordedToo])).toBe(false);
});

test('shards graded from different folders are caught even when the counts agree', () => {
  // Shard 2 was graded from a folder where "bob" was called "zed": same counts, different split.
  const renamed = shard(2, 2);
  renamed.report.submissions = renamed.report.submissions.map((s) => (s.id === 'bob' ? { ...s, id: 'zed' } : s));
  expect(() => mergeReports([shard(1, 2), renamed])).toThrow(
    'the submission "carol" was graded in shard 1/2 (shard1), but in the merged batch it belongs to shard 2/2: the shards were not graded from the same submissions',
  );
});

test('separately graded batches merge when their ids differ; warnings and sandboxes are combined', () => {
  const a = { source: 'a', report: report([ALL[2]], { warnings: ['w1'], sandbox: 'sandbox A' }) };
  const b = { source: 'b', report: report([ALL[0]], { warnings: ['w1', 'w2'], sandbox: 'sandbox B' }) };
  const merged = mergeReports([a, b], 'now');
  expect(merged.submissions.map((s) => s.id)).toEqual(['alice', 'carol']);
  expect(merged.warnings).toEqual(['w1', 'w2']);
  expect(merged.sandbox).toBe('sandbox A | sandbox B');
  expect(merged.shard).toBeUndefined();
  expect(() => mergeReports([])).toThrow('merge needs at least one report folder');
});

describe('reading report folders', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'merge-test-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a folder without report.json, invalid JSON, or another schema is a clear error', () => {
    expect(() => readReportDir(join(dir, 'none'))).toThrow(
      `Cannot read ${join(dir, 'none', 'report.json')}: it does not exist (was this shard graded with --format including json?)`,
    );
    mkdirSync(join(dir, 'bad'));
    writeFileSync(join(dir, 'bad', 'report.json'), '{ not json');
    expect(() => readReportDir(join(dir, 'bad'))).toThrow(`${join(dir, 'bad', 'report.json')} is not valid JSON`);
    mkdirSync(join(dir, 'v2'));
    writeFileSync(join(dir, 'v2', 'report.json'), JSON.stringify({ ...report(ALL), schemaVersion: 2 }));
    expect(() => readReportDir(join(dir, 'v2'))).toThrow(
      `${join(dir, 'v2', 'report.json')} has schemaVersion 2; this grader reads schemaVersion 1`,
    );
    mkdirSync(join(dir, 'partial'));
    writeFileSync(join(dir, 'partial', 'report.json'), JSON.stringify({ schemaVersion: 1, seed: 8 }));
    expect(() => readReportDir(join(dir, 'partial'))).toThrow(
      'is not a complete grade report (seed, rubric or submissions missing)',
    );
  });

  test('a written report reads back equal', () => {
    const written = shard(1, 2).report;
    writeFileSync(join(dir, 'report.json'), JSON.stringify(written, null, 2));
    expect(readReportDir(dir)).toEqual({ source: dir, report: written });
  });
});
