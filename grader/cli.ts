/**
 * The batch grader: `npm run grade -- [SUBMISSION_DIR ...] [options]` and
 * `npm run grade -- merge DIR ...`. Run `npm run grade -- --help` for everything it does.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CATALOGUE } from '../checks/catalogue';
import { DEFAULT_SUBMISSIONS, exitCodeOf, gradeBatch, UsageError } from './batch/grade-batch';
import type { BatchOptions, LmsCliOptions } from './batch/grade-batch';
import { DiscoveryError } from './discover';
import { DiffError, diffReports, readReport, renderDiffJson, renderDiffMarkdown } from './diff';
import { createDefaultBackend, sandboxInForce } from './execution';
import { EXIT, EXIT_HELP } from './exit-codes';
import { createTrainDataSource } from './grade-submission';
import { mergeReports, MergeError, readReportDir } from './merge';
import { createProgress, isInteractive, renderSummary } from './progress';
import type { GradeReport } from './report-types';
import { DEFAULT_FORMATS, FORMATS, formatsHelp, parseFormats, ROSTER_FORMATS, writeReports } from './reports';
import type { Format } from './reports';
import { RosterError } from './reports/canvas';
import { checkRosterIdentifiers, formulaIdentifierWarnings, loadRoster, rosterWarnings } from './roster-file';
import { ManualScoresError, RubricError } from './rubric';
import { parseShard } from './scheduler';
import type { Shard } from './scheduler';
import { shownPath } from './shown-path';
import { markStartup } from './startup-trace';
import { DEFAULT_THRESHOLD, parseThreshold, runSimilarity, SimilarityError } from './similarity';

export { gradeBatch, UsageError } from './batch/grade-batch';
export type { BatchDeps, BatchOptions, BatchResult, LmsCliOptions } from './batch/grade-batch';
export { EXIT } from './exit-codes';

export const DEFAULT_SEED = 8;
export const DEFAULT_OUT = 'grade-report';
export const DEFAULT_TIMEOUT_SECONDS = 600;
export const DEFAULT_RUBRIC = join(__dirname, 'rubric.default.yaml');

// --- command line -----------------------------------------------------------------------------

function integer(name: string, min: number) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`${name} must be a whole number.`);
    const number = Number(value);
    if (number < min) throw new InvalidArgumentError(`${name} must be at least ${min}.`);
    return number;
  };
}

function positiveSeconds(value: string): number {
  const number = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(number > 0))
    throw new InvalidArgumentError('--timeout must be a positive number of seconds.');
  return number;
}

function formatsOption(value: string): Format[] {
  try {
    return parseFormats(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function thresholdOption(value: string): number {
  try {
    return parseThreshold(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function shardOption(value: string): Shard {
  try {
    return parseShard(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

const ROSTER_OPTION_HELP =
  'CSV naming each submission id in the LMS (for the canvas and moodle formats; see Reports below)';

/** The LMS export options of the grade and merge commands. */
function lmsOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--canvas-assignment-id <ID>',
        "Canvas's id of the assignment to update (in its URL); without it Canvas creates a new assignment",
      ).argParser(canvasAssignmentId),
    )
    .addOption(
      new Option('--moodle-identifier <FIELD>', 'the user field moodle.csv identifies students by')
        .choices(['idnumber', 'email', 'username'])
        .default('idnumber'),
    )
    .option(
      '--allow-submission-ids',
      'export submissions the --roster does not identify under their submission id (default: refuse, naming them)',
    );
}

function canvasAssignmentId(value: string): string {
  if (!/^\d+$/.test(value.trim()))
    throw new InvalidArgumentError(
      "--canvas-assignment-id must be the number in the assignment's URL (…/assignments/1234).",
    );
  return value.trim();
}

const lmsFrom = (opts: {
  canvasAssignmentId?: string;
  moodleIdentifier?: LmsCliOptions['moodleIdentifier'];
  allowSubmissionIds?: boolean;
}): LmsCliOptions => ({
  canvasAssignmentId: opts.canvasAssignmentId,
  moodleIdentifier: opts.moodleIdentifier,
  allowSubmissionIds: opts.allowSubmissionIds ?? false,
});

const HELP_AFTER = `
What it grades
  With no SUBMISSION_DIR it grades every folder in ${DEFAULT_SUBMISSIONS}/. Each argument may be
    - a submission: a folder holding rnn.ts (its id is the folder's name),
    - a folder of submissions: one sub-folder or .zip per student (nested section folders are searched),
    - a .zip of one submission (rnn.ts at its top, or inside one folder) or of many.
  A folder without rnn.ts is still listed, as a submission that could not be graded. A .zip inside a
  folder is ONE submission: it must hold exactly one rnn.ts (nested folders and zips allowed). Odd
  entries (links, FIFOs, names that are not UTF-8, a repeated id) each get their own row, with a warning.

How it grades
  Each submission is compiled and run in its own sandboxed child process, never in the grader's
  process; a crash, hang or syntax error costs that submission only, and the reports are always
  written. Random inputs are seeded from --seed and the submission id, so a regrade gives the same
  report.json (apart from durationMs and generatedAt), whatever --jobs, the order or the shard.
  Checks that need the lab data (pollution.csv: --data FILE, else RNN_LAB_DATA, else the cache)
  are marked 'error' if it cannot be loaded; the rest are graded.

Rubric (--rubric FILE, YAML; default grader/rubric.default.yaml, 100 points)
  items:
    - check: grad.b.value          # points for one check
      points: 6
      partial:                     # optional partial credit when it does not pass
        - diagnosis: gradB.skip-first
          points: 3
        - status: failed           # failed | error | timeout | memory
          points: 1
      hidden: true                 # optional: override the check's visibility for students
    - target: RNN.computeGradW     # points for a contract export, spread over its checks
      points: 9
      spread: weighted             # weighted (default, by the checks' default points) | equal
      # checks: { grad.w.shape: 2, grad.w.value: 7 }   # or an explicit split
    - manual: exercise1            # scored by hand: column "exercise1" of the --manual CSV
      title: Exercise 1 derivation
      points: 10
  Checks no item mentions are not run. The rubric is validated before grading: unknown check ids
  or targets, negative or non-numeric points and duplicate items are errors naming the file, line
  and item. --manual FILE is a CSV with an "id" column (submission id) and one column per manual
  item; an empty cell means "not graded yet".

Reports (in --out DIR, default ${DEFAULT_OUT}/; --format picks among ${FORMATS.join(', ')})
${formatsHelp()}
  (* not in the default set.) Student-facing files are rendered from the student view of the
  report: a hidden check's message is replaced by a generic one, and no diagnosis is shown.
  --roster FILE (grade and merge) says who each submission is in the LMS, for canvas and moodle:
  a CSV with an "id" column (the submission id) and any of name, canvas_id, sis_user_id,
  sis_login_id, section, email, username, idnumber. Without it the submission id is the login /
  ID number. With it, a submission it gives no identifier for (canvas: canvas_id, sis_user_id or
  sis_login_id; moodle: the --moodle-identifier field) is refused before grading, by name, unless
  --allow-submission-ids exports it under its submission id. --canvas-assignment-id ID updates that
  Canvas assignment (the "Assignment name (ID)" column) instead of creating a new one. Cells that
  start like a spreadsheet formula (=, +, -, @) get a leading ' in every CSV (a warning names ids).

Sharding
  --shard I/N grades every N-th submission (by sorted id) starting with the I-th; run the N shards
  anywhere, then combine their output folders:
    npm run grade -- merge DIR ... [--out DIR] [--format LIST]
  merge refuses missing, repeated or incomplete shards and reports graded with another seed or rubric.

Other commands
  npm run grade -- diff OLD NEW [--format md|json]     what a regrade changed, per student (on stdout)
  npm run grade -- similarity DIR ... [--out DIR] [--threshold X]
                       pairs sharing unusually much code: similarity.md/.json (a hint, never a penalty)

${EXIT_HELP}

Examples
  npm run grade                                          grade submissions/ into ${DEFAULT_OUT}/
  npm run grade -- class.zip --out out --jobs 4
  npm run grade -- submissions --shard 1/2 --out shard1  (and --shard 2/2 --out shard2 elsewhere)
  npm run grade -- merge shard1 shard2 --out ${DEFAULT_OUT}
`;

export function buildProgram(
  run: {
    grade: (options: BatchOptions) => Promise<number>;
    merge: (dirs: string[], out: string, formats: Format[], roster?: string, lms?: LmsCliOptions) => Promise<number>;
  },
  output: { writeOut: (text: string) => void; writeErr: (text: string) => void },
): Command {
  const program = new Command('grade');
  // Set before the subcommand is added, so that it inherits them.
  program.exitOverride();
  program.configureOutput(output);
  program
    .usage('[options] [SUBMISSION_DIR ...]   |   grade merge [options] DIR ...')
    .description('Grade RNN-lab submissions (rnn.ts) with the check catalogue and a rubric, and write reports.')
    .enablePositionalOptions()
    .argument(
      '[SUBMISSION_DIR...]',
      `submission folders, folders of submissions, or .zip files (default: ${DEFAULT_SUBMISSIONS}/)`,
    )
    .option('--out <DIR>', 'output folder for the reports', DEFAULT_OUT)
    .option('--rubric <FILE>', 'rubric (YAML)', shownPath(process.cwd(), DEFAULT_RUBRIC))
    .addOption(
      new Option('--jobs <N>', 'submissions graded at once')
        .argParser(integer('--jobs', 1))
        .default(availableParallelism(), 'number of cores'),
    )
    .addOption(
      new Option('--seed <N>', "batch seed; each submission's seed derives from it and the id")
        .argParser(integer('--seed', -(2 ** 31)))
        .default(DEFAULT_SEED),
    )
    .addOption(
      new Option(
        '--timeout <SECONDS>',
        "wall-clock budget for running one submission's checks (compiling excluded); checks still running or to run after it count as timeouts",
      )
        .argParser(positiveSeconds)
        .default(DEFAULT_TIMEOUT_SECONDS),
    )
    .addOption(
      new Option('--format <LIST>', `comma-separated report formats (${FORMATS.join(',')})`)
        .argParser(formatsOption)
        .default([...DEFAULT_FORMATS], DEFAULT_FORMATS.join(',')),
    )
    .addOption(
      new Option('--shard <I/N>', 'grade only shard I of N (combine shards with `merge`)').argParser(shardOption),
    )
    .option('--data <FILE>', 'the lab data, pollution.csv (default: RNN_LAB_DATA, else the cached download)')
    .option('--manual <FILE>', 'CSV of manual item scores (columns: id, then one per manual rubric item)')
    .option('--roster <FILE>', ROSTER_OPTION_HELP)
    .option(
      '--allow-weak-sandbox',
      'grade even when bubblewrap is unusable (the weaker fallback sandbox; see docs/threat-model.md)',
    );
  lmsOptions(program)
    .addHelpText('after', HELP_AFTER)
    .action(
      async (
        inputs: string[],
        opts: {
          out: string;
          rubric: string;
          jobs: number;
          seed: number;
          timeout: number;
          format: Format[];
          shard?: Shard;
          data?: string;
          manual?: string;
          roster?: string;
          allowWeakSandbox?: boolean;
        } & Parameters<typeof lmsFrom>[0],
      ) => {
        const code = await run.grade({
          inputs,
          out: opts.out,
          rubric: opts.rubric,
          jobs: opts.jobs,
          seed: opts.seed,
          timeoutSeconds: opts.timeout,
          formats: opts.format,
          shard: opts.shard,
          data: opts.data,
          manual: opts.manual,
          roster: opts.roster,
          allowWeakSandbox: opts.allowWeakSandbox,
          lms: lmsFrom(opts),
        });
        program.setOptionValue('exitCode', code);
      },
    );
  const merge = program
    .command('merge')
    .description('combine the report folders of shards (or of separately graded batches) into one report')
    .argument('<DIR...>', 'folders holding a report.json each')
    .option('--out <DIR>', 'output folder for the merged reports', DEFAULT_OUT)
    .addOption(
      new Option('--format <LIST>', `comma-separated report formats (${FORMATS.join(',')})`)
        .argParser(formatsOption)
        .default([...DEFAULT_FORMATS], DEFAULT_FORMATS.join(',')),
    )
    .option('--roster <FILE>', ROSTER_OPTION_HELP);
  lmsOptions(merge).action(
    async (
      dirs: string[],
      opts: { out: string; format: Format[]; roster?: string } & Parameters<typeof lmsFrom>[0],
    ) => {
      const code = await run.merge(dirs, opts.out, opts.format, opts.roster, lmsFrom(opts));
      program.setOptionValue('exitCode', code);
    },
  );
  program
    .command('diff')
    .description(
      'what a regrade changed: per student, every check whose verdict or points changed and the score delta; students added or removed',
    )
    .argument('<OLD>', 'the earlier report.json (or the folder holding it)')
    .argument('<NEW>', 'the later report.json (or the folder holding it)')
    .addOption(new Option('--format <FORMAT>', 'output on stdout').choices(['md', 'json']).default('md'))
    .action((oldPath: string, newPath: string, opts: { format: 'md' | 'json' }) => {
      try {
        const diff = diffReports(readReport(oldPath), readReport(newPath), { old: oldPath, new: newPath });
        output.writeOut(opts.format === 'json' ? renderDiffJson(diff) : renderDiffMarkdown(diff));
        program.setOptionValue('exitCode', EXIT.ok);
      } catch (error) {
        if (!(error instanceof DiffError)) throw error;
        output.writeErr(`error: ${error.message}\n`);
        program.setOptionValue('exitCode', EXIT.usage);
      }
    });
  program
    .command('similarity')
    .description(
      'pairs of submissions sharing unusually much code (handout skeleton excluded): similarity.md and similarity.json, a hint for a human, never a penalty',
    )
    .argument('<SUBMISSION_DIR...>', 'submission folders, folders of submissions, or .zip files')
    .option('--out <DIR>', 'output folder', DEFAULT_OUT)
    .addOption(
      new Option('--threshold <X>', 'list pairs at least this similar (0–1, or a percentage)')
        .argParser(thresholdOption)
        .default(DEFAULT_THRESHOLD),
    )
    .option('--skeleton <FILE>', "the file every student started from (default: the handout's rnn.ts)")
    .action((inputs: string[], opts: { out: string; threshold: number; skeleton?: string }) => {
      try {
        const { report, written } = runSimilarity({
          inputs,
          out: opts.out,
          threshold: opts.threshold,
          skeleton: opts.skeleton,
          cwd: process.cwd(),
        });
        output.writeOut(
          `${report.submissions.length} submissions compared, ${report.pairs.length} pair(s) at or above ${opts.threshold}; written to ${shownPath(process.cwd(), resolve(opts.out))}/: ${written.join(', ')}\n`,
        );
        program.setOptionValue('exitCode', EXIT.ok);
      } catch (error) {
        if (!(error instanceof SimilarityError || error instanceof DiscoveryError)) throw error;
        output.writeErr(`error: ${error.message}\n`);
        program.setOptionValue('exitCode', EXIT.usage);
      }
    });
  return program;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const stdout = process.stdout;
  const stderr = process.stderr;
  const color = Boolean(stdout.isTTY) && !process.env.NO_COLOR;
  const announceRoster = (roster: string | undefined, formats: Format[]) => {
    if (roster && !formats.some((format) => ROSTER_FORMATS.includes(format)))
      stderr.write(
        `note: --roster only changes the ${ROSTER_FORMATS.join(' and ')} formats, and --format has neither\n`,
      );
  };
  const finish = (report: GradeReport, out: string, written: string[]) => {
    stdout.write(renderSummary(report, color));
    const shown = shownPath(process.cwd(), resolve(out));
    const top = [...new Set(written.map((file) => (file.includes('/') ? `${file.split('/')[0]}/` : file)))];
    stdout.write(
      top.length > 0
        ? `reports written to ${shown}/: ${top.join(', ')}\n`
        : 'no report files written (the formats asked for write one file per submission, and there were none)\n',
    );
  };

  const program = buildProgram(
    {
      grade: async (options) => {
        announceRoster(options.roster, options.formats);
        const progress = createProgress(stderr, isInteractive(stderr));
        try {
          const result = await gradeBatch(options, {
            backend: createDefaultBackend(),
            catalogue: CATALOGUE,
            trainData: createTrainDataSource(options.data, { withTestSplit: options.formats.includes('html') }),
            progress,
            cwd: process.cwd(),
            tmp: tmpdir(),
            // Which sandbox submissions run in, said before any runs; none at all is refused unless allowed.
            beforeGrading: async () => {
              try {
                stderr.write(`sandbox: ${await sandboxInForce({ allowWeakSandbox: options.allowWeakSandbox })}\n`);
              } catch (error) {
                throw new UsageError(error instanceof Error ? error.message : String(error));
              }
            },
          });
          finish(result.report, options.out, result.written);
          return result.exitCode;
        } catch (error) {
          progress.stop();
          if (
            error instanceof UsageError ||
            error instanceof RubricError ||
            error instanceof ManualScoresError ||
            error instanceof RosterError
          ) {
            stderr.write(`error: ${error.message}\n`);
            return EXIT.usage;
          }
          throw error;
        }
      },
      merge: async (dirs, out, formats, rosterPath, lms) => {
        announceRoster(rosterPath, formats);
        try {
          const outDir = resolve(out);
          const clash = dirs.find((dir) => resolve(dir) === outDir);
          if (clash)
            throw new MergeError(`--out ${out} is one of the folders being merged; choose another output folder`);
          const roster = rosterPath ? loadRoster(resolve(rosterPath), rosterPath) : undefined;
          const report = mergeReports(dirs.map((dir) => readReportDir(dir)));
          checkRosterIdentifiers(
            report.submissions.map((s) => s.id),
            formats,
            { roster, rosterShown: rosterPath, ...lms },
          );
          if (roster && rosterPath)
            for (const warning of rosterWarnings(
              roster,
              report.submissions.map((s) => s.id),
              rosterPath,
            ))
              stderr.write(`warning: ${warning}\n`);
          for (const warning of formulaIdentifierWarnings(report, formats, { roster, ...lms }))
            stderr.write(`WARNING: ${warning}\n`);
          if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
          const written = writeReports(report, outDir, formats, {
            roster,
            canvasAssignmentId: lms?.canvasAssignmentId,
            moodleIdentifier: lms?.moodleIdentifier,
          });
          finish(report, out, written);
          // Merged rows keep their cause: a grader fault in any shard leaves the whole batch incomplete.
          return exitCodeOf(report);
        } catch (error) {
          if (error instanceof MergeError || error instanceof RosterError) {
            stderr.write(`error: ${error.message}\n`);
            return EXIT.usage;
          }
          throw error;
        }
      },
    },
    { writeOut: (text) => stdout.write(text), writeErr: (text) => stderr.write(text) },
  );
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw error;
  }
  return (program.getOptionValue('exitCode') as number | undefined) ?? EXIT.ok;
}

if (require.main === module) {
  markStartup('grader loaded');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\ninterrupted (${signal}): no reports were written for this run\n`);
      // process.exit runs the 'exit' listeners: the sandbox kills its children, the work folder is removed.
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `grader crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = EXIT.crash;
    },
  );
}
