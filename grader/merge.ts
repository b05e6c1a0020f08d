/**
 * `npm run grade -- merge DIR ...`: combines the report.json of shards (`--shard I/N` runs) into
 * one report. Nothing is ever dropped silently: a missing, repeated or incomplete shard, a
 * submission in two reports, or reports graded with another seed, rubric or convergence setting
 * are errors.
 * Reports graded without --shard can be merged too (e.g. two sections graded separately), as long
 * as no submission id appears twice.
 */
import { join } from 'node:path';
import { compareIds } from './discover';
import { readText } from './read-text';
import type { GradeReport, SubmissionReport } from './report-types';
import { shardSize } from './scheduler';

export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

export interface ShardInput {
  /** Where it was read from (a folder), for messages. */
  source: string;
  report: GradeReport;
}

/** Reads `DIR/report.json` and checks that it is a grade report. */
export function readReportDir(dir: string): ShardInput {
  const file = join(dir, 'report.json');
  const read = readText(file);
  if (!read.ok)
    throw new MergeError(
      `Cannot read ${file}: ${read.missing ? 'it does not exist (was this shard graded with --format including json?)' : read.reason}`,
    );
  let report: unknown;
  try {
    report = JSON.parse(read.text);
  } catch (error) {
    throw new MergeError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  return { source: dir, report: checkReport(report, file) };
}

function checkReport(value: unknown, file: string): GradeReport {
  const report = value as Partial<GradeReport> | null;
  if (!report || typeof report !== 'object') throw new MergeError(`${file} is not a grade report`);
  if (report.schemaVersion !== 1)
    throw new MergeError(
      `${file} has schemaVersion ${JSON.stringify(report.schemaVersion)}; this grader reads schemaVersion 1`,
    );
  if (
    typeof report.seed !== 'number' ||
    !report.rubric ||
    !Array.isArray(report.rubric.items) ||
    !Array.isArray(report.submissions)
  ) {
    throw new MergeError(`${file} is not a complete grade report (seed, rubric or submissions missing)`);
  }
  for (const submission of report.submissions) {
    if (!submission || typeof submission.id !== 'string' || !Array.isArray(submission.checks))
      throw new MergeError(`${file} has a submission without an id or checks`);
  }
  return { warnings: [], ...report } as GradeReport;
}

/** The convergence setting as a message names it. */
function describeConvergence(report: GradeReport): string {
  const setting = report.convergence;
  return setting
    ? `${setting.steps} steps, threshold ${setting.threshold}`
    : 'an unrecorded setting (a report.json from before the setting was recorded)';
}

const describeShard = (input: ShardInput) =>
  `${input.report.shard!.index}/${input.report.shard!.count} (${input.source})`;

/** One report from several; throws MergeError instead of dropping or duplicating anything. */
export function mergeReports(
  inputs: readonly ShardInput[],
  generatedAt: string = new Date().toISOString(),
): GradeReport {
  if (inputs.length === 0) throw new MergeError('merge needs at least one report folder');
  const [first] = inputs;
  for (const input of inputs.slice(1)) {
    if (input.report.seed !== first.report.seed)
      throw new MergeError(
        `${input.source} was graded with seed ${input.report.seed}, but ${first.source} with seed ${first.report.seed}; regrade with the same --seed`,
      );
    const rubricA = JSON.stringify({ maxScore: first.report.rubric.maxScore, items: first.report.rubric.items });
    const rubricB = JSON.stringify({ maxScore: input.report.rubric.maxScore, items: input.report.rubric.items });
    if (rubricA !== rubricB)
      throw new MergeError(
        `${input.source} was graded with another rubric (${input.report.rubric.source}) than ${first.source} (${first.report.rubric.source}); regrade with the same --rubric`,
      );
    // The same items may be graded with another convergence setting (the rubric's `convergence:`):
    // train.converges would then have judged the submissions by different marks.
    if (describeConvergence(input.report) !== describeConvergence(first.report))
      throw new MergeError(
        `${input.source} was graded with the convergence setting ${describeConvergence(input.report)}, but ${first.source} with ${describeConvergence(first.report)}; regrade with the same --rubric (its convergence: setting)`,
      );
  }

  const sharded = inputs.filter((input) => input.report.shard);
  if (sharded.length > 0 && sharded.length < inputs.length) {
    const plain = inputs.find((input) => !input.report.shard)!;
    throw new MergeError(
      `${plain.source} is not a shard (graded without --shard), but ${sharded[0].source} is shard ${describeShard(sharded[0])}; merge either shards of one batch or whole batches`,
    );
  }
  if (sharded.length > 0) checkShards(inputs);

  const owner = new Map<string, string>();
  const submissions: SubmissionReport[] = [];
  for (const input of inputs) {
    for (const submission of input.report.submissions) {
      const previous = owner.get(submission.id);
      if (previous !== undefined)
        throw new MergeError(`the submission "${submission.id}" is in both ${previous} and ${input.source}`);
      owner.set(submission.id, input.source);
      submissions.push(submission);
    }
  }
  submissions.sort((a, b) => compareIds(a.id, b.id));

  if (sharded.length > 0) {
    // Each submission must sit in the shard its position in the whole batch gives it: otherwise the
    // shards were graded from different folders, and some submissions may be missing.
    const count = first.report.shard!.count;
    submissions.forEach((submission, position) => {
      const input = inputs.find((candidate) => candidate.source === owner.get(submission.id))!;
      const expected = (position % count) + 1;
      if (input.report.shard!.index !== expected) {
        throw new MergeError(
          `the submission "${submission.id}" was graded in shard ${describeShard(input)}, but in the merged batch it belongs to shard ${expected}/${count}: the shards were not graded from the same submissions`,
        );
      }
    });
  }

  const unique = <T>(values: T[]) => [...new Set(values)];
  return {
    schemaVersion: 1,
    seed: first.report.seed,
    rubric: first.report.rubric,
    ...(first.report.convergence ? { convergence: first.report.convergence } : {}),
    sandbox: unique(inputs.map((input) => input.report.sandbox)).join(' | '),
    warnings: unique(inputs.flatMap((input) => input.report.warnings ?? [])),
    generatedAt,
    submissions,
  };
}

function checkShards(inputs: readonly ShardInput[]): void {
  const [first] = inputs;
  const { count, totalSubmissions } = first.report.shard!;
  const byIndex = new Map<number, ShardInput>();
  for (const input of inputs) {
    const shard = input.report.shard!;
    if (shard.count !== count)
      throw new MergeError(
        `${input.source} is shard ${shard.index}/${shard.count}, but ${first.source} is shard ${first.report.shard!.index}/${count}: all shards must come from one --shard I/${count} split`,
      );
    if (shard.totalSubmissions !== totalSubmissions)
      throw new MergeError(
        `${input.source} was split from a batch of ${shard.totalSubmissions} submissions, but ${first.source} from ${totalSubmissions}: the shards were not graded from the same submissions`,
      );
    const other = byIndex.get(shard.index);
    if (other)
      throw new MergeError(`shard ${shard.index}/${count} is given twice: ${other.source} and ${input.source}`);
    byIndex.set(shard.index, input);
    const expected = shardSize(totalSubmissions, shard);
    if (input.report.submissions.length !== expected) {
      throw new MergeError(
        `shard ${describeShard(input)} holds ${input.report.submissions.length} submissions, but shard ${shard.index}/${count} of ${totalSubmissions} must hold ${expected}: its report is incomplete`,
      );
    }
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !byIndex.has(index));
  if (missing.length > 0) {
    throw new MergeError(
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((index) => `${index}/${count}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing (given: ${inputs.map(describeShard).join(', ')})`,
    );
  }
}
