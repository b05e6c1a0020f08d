/**
 * Course-side grading from the private grader repository (.github/workflows/grade-course.yml):
 *
 *   tsx grader/ci/course.ts collect --org ORG --prefix lab8 [--deadline 2026-12-01T23:59:00+01:00]
 *                                   [--mode commits|pull-requests] --out class --targets targets.json
 *   (grade class/ in shards: grade-sharded.yml, then merge)
 *   tsx grader/ci/course.ts post --report grade-report/report.json --targets targets.json
 *                                [--with check-run|status] [--app-id N] [--login LOGIN]
 *
 * collect lists the assignment's repositories, picks each one's commit (pick-commit.ts) and
 * downloads it as `class/<id>.zip` (fetch-submission.ts); post renders each student's result for
 * students (course-result.ts) and posts it (post-result.ts). Neither runs student code.
 *
 * Environment: GRADER_GITHUB_TOKEN (required), GITHUB_API_URL, PASS_MARK (post),
 * GITHUB_STEP_SUMMARY and GITHUB_OUTPUT (set by GitHub Actions).
 * Exit (grader/exit-codes.ts): 0 done (problems with single repositories are listed, and cost
 * only their row), 2 bad arguments or files, 3 some results could not be posted, 4 GitHub could
 * not be reached or refused the listing (or a crash).
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT } from '../exit-codes';
import type { GradeReport } from '../report-types';
import { runPool } from '../scheduler';
import { readManifest, submissionId } from './course-manifest';
import type { CourseManifest, CourseTarget, Mode } from './course-manifest';
import { courseResult } from './course-result';
import { downloadCommitZip } from './fetch-submission';
import { errorText, logSafe, makeGitHub } from './github';
import type { GitHub } from './github';
import { checkPrefix, listAssignmentRepos } from './list-repos';
import type { StudentRepo } from './list-repos';
import { commitToGrade, openPullRequestHeads, parseDeadline } from './pick-commit';
import { setCommitStatus, tokenLogin, upsertCheckRun, upsertPullRequestComment } from './post-result';
import type { Outcome, PosterOptions } from './post-result';
import { parsePassMark } from './summary';

class UsageError extends Error {}

/** How many repositories are talked to at once (GitHub's secondary rate limits dislike more). */
const PARALLEL = 4;

export interface CollectOptions {
  org: string;
  prefix: string;
  deadline?: Date;
  mode: Mode;
  outDir: string;
}

/**
 * The ids handed out so far in one collect run. They are unique by construction (repository
 * names are), but should that ever fail, a second repository must not overwrite a zip.
 */
type IdBook = Set<string>;

/** One repository's submissions: its commit (or each open pull request's head), downloaded. */
async function collectRepo(
  github: GitHub,
  repo: StudentRepo,
  options: CollectOptions,
  taken: IdBook,
): Promise<CourseTarget[]> {
  const base = { owner: repo.owner, repo: repo.repo };
  /**
   * The row's id: the submission id for a zip; for a row without one, `owner/repo` (a `/` is
   * never in a submission id, so the two kinds cannot collide, and repositories are unique).
   */
  const label = (pull?: number) => `${repo.owner}/${repo.repo}${pull ? `#${pull}` : ''}`;
  const claim = (pull?: number): { id: string; problem?: string } => {
    const natural = submissionId(repo.student, pull);
    if (!natural) return { id: label(pull), problem: 'the repository name does not give a usable submission id' };
    // Checked and taken in one synchronous step, so parallel workers cannot both get it.
    if (taken.has(natural))
      return { id: label(pull), problem: `the submission id ${natural} is already another repository's` };
    taken.add(natural);
    return { id: natural };
  };
  const fetchOne = async (sha: string, how: string, pull?: number): Promise<CourseTarget> => {
    const { id, problem } = claim(pull);
    if (problem) return { id, ...base, pull, problem };
    try {
      await downloadCommitZip(github, base, sha, join(options.outDir, `${id}.zip`));
      return { id, ...base, sha, how, pull };
    } catch (error) {
      return { id, ...base, pull, problem: `could not download commit ${sha}: ${errorText(error)}` };
    }
  };
  const row = (problem: string): CourseTarget[] => [{ id: label(), ...base, problem }];
  try {
    if (options.mode === 'pull-requests') {
      const heads = await openPullRequestHeads(github, repo);
      // Listed all the same, so that nobody silently drops out of the run's summary.
      if (heads.length === 0) return row('no open pull request');
      return Promise.all(
        heads.map((head) => fetchOne(head.sha, `the head of pull request #${head.number}`, head.number)),
      );
    }
    const choice = await commitToGrade(github, repo, options.deadline);
    if (choice.sha === undefined) return row(choice.problem);
    return [await fetchOne(choice.sha, choice.how)];
  } catch (error) {
    return row(`could not read the repository: ${errorText(error)}`);
  }
}

export async function collect(
  github: GitHub,
  options: CollectOptions,
  now = new Date(),
): Promise<{ manifest: CourseManifest; skipped: Array<{ repo: string; reason: string }> }> {
  // Everything in OUT is graded next: a zip left from another run would be graded too.
  if (existsSync(options.outDir) && readdirSync(options.outDir).length > 0)
    throw new UsageError(`${options.outDir} is not empty: collect into a new folder (everything in it is graded).`);
  mkdirSync(options.outDir, { recursive: true });
  const listing = await listAssignmentRepos(github, options.org, options.prefix);
  const taken: IdBook = new Set();
  const perRepo = await runPool(listing.repos, (repo) => collectRepo(github, repo, options, taken), { jobs: PARALLEL });
  const manifest: CourseManifest = {
    version: 1,
    org: options.org,
    prefix: options.prefix,
    mode: options.mode,
    ...(options.deadline ? { deadline: options.deadline.toISOString() } : {}),
    collectedAt: now.toISOString(),
    targets: perRepo.flat(),
  };
  return { manifest, skipped: listing.skipped };
}

/** Text from GitHub in a Markdown table cell: one line, nothing that formats. */
const mdCell = (text: string | undefined) => (text ? logSafe(text, 300).replace(/([\\*_<>[\]|#`])/g, '\\$1') : '');

/** The staff's view of a collect run (the private repository's job summary). */
export function collectSummary(
  manifest: CourseManifest,
  skipped: ReadonlyArray<{ repo: string; reason: string }>,
): string {
  const fetched = manifest.targets.filter((target) => target.sha);
  const lines = [
    `## Collected ${fetched.length} submission(s) of ${manifest.prefix} (${manifest.mode}${manifest.deadline ? `, deadline ${manifest.deadline}` : ''})`,
    '',
  ];
  lines.push('| id | repository | commit | how / problem |', '|---|---|---|---|');
  for (const target of manifest.targets) {
    lines.push(
      `| ${mdCell(target.id)} | ${mdCell(`${target.owner}/${target.repo}`)}${target.pull ? ` #${target.pull}` : ''} | ${target.sha ? `\`${target.sha.slice(0, 12)}\`` : '–'} | ${target.problem ? `**not graded:** ${mdCell(target.problem)}` : mdCell(target.how)} |`,
    );
  }
  for (const item of skipped) lines.push(`| – | ${mdCell(item.repo)} | – | skipped: ${mdCell(item.reason)} |`);
  return `${lines.join('\n')}\n`;
}

export interface PostOptions extends Omit<PosterOptions, 'login'> {
  with: 'check-run' | 'status';
  login?: string;
  passMark: ReturnType<typeof parsePassMark>;
}

export interface PostLine {
  id: string;
  outcome?: string;
  problem?: string;
}

/** Posts every fetched target's result; one target's failure is reported and the others go on. */
export async function post(
  github: GitHub,
  report: GradeReport,
  manifest: CourseManifest,
  options: PostOptions,
): Promise<PostLine[]> {
  const bySubmission = new Map(report.submissions.map((submission) => [submission.id, submission]));
  const needsLogin = manifest.targets.some((target) => target.sha && target.pull);
  const login = options.login ?? (needsLogin ? await tokenLogin(github) : '');
  const poster: PosterOptions = { name: options.name, key: options.key, appId: options.appId, login };
  const work = async (target: CourseTarget): Promise<PostLine> => {
    if (!target.sha) return { id: target.id, problem: `not fetched: ${target.problem ?? 'no commit'}` };
    const submission = bySubmission.get(target.id);
    if (!submission) return { id: target.id, problem: 'not in the report (was it graded?): nothing posted' };
    const result = courseResult(report, submission, {
      passMark: options.passMark,
      how: target.how ?? '',
      sha: target.sha,
    });
    const where = { owner: target.owner, repo: target.repo, sha: target.sha };
    const done: string[] = [];
    try {
      const outcome: Outcome =
        options.with === 'check-run'
          ? await upsertCheckRun(github, where, result, poster)
          : await setCommitStatus(github, where, result, poster);
      done.push(`${options.with} ${outcome.action}`);
      if (target.pull)
        done.push(
          `comment ${(await upsertPullRequestComment(github, { ...where, pull: target.pull }, result, poster)).action}`,
        );
      return { id: target.id, outcome: `${result.title} — ${done.join(', ')}` };
    } catch (error) {
      return { id: target.id, outcome: done.join(', ') || undefined, problem: `could not post: ${errorText(error)}` };
    }
  };
  return runPool(manifest.targets, work, { jobs: PARALLEL });
}

export function postSummary(manifest: CourseManifest, lines: readonly PostLine[]): string {
  const out = [`## Posted results of ${manifest.prefix}`, '', '| id | posted | problem |', '|---|---|---|'];
  for (const line of lines) out.push(`| ${mdCell(line.id)} | ${mdCell(line.outcome)} | ${mdCell(line.problem)} |`);
  return `${out.join('\n')}\n`;
}

// --- the command line ------------------------------------------------------------------------------

function writeOut(text: string, env: NodeJS.ProcessEnv): void {
  process.stdout.write(text);
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${text}\n`);
}

function githubFrom(env: NodeJS.ProcessEnv): GitHub {
  try {
    return makeGitHub({ token: env.GRADER_GITHUB_TOKEN ?? '', baseUrl: env.GITHUB_API_URL });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const wrapUsage =
  <T>(parse: (text: string) => T) =>
  (text: string): T => {
    try {
      return parse(text);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('course').description(
    'Course-side grading of a GitHub Classroom assignment (see docs/ci.md).',
  );
  program.exitOverride();

  program
    .command('collect')
    .description("List the assignment's repositories, pick each one's commit and download it as OUT/<id>.zip")
    .requiredOption('--org <org>', 'the course organisation')
    .requiredOption(
      '--prefix <prefix>',
      "the assignment's repository prefix (GitHub Classroom)",
      wrapUsage(checkPrefix),
    )
    .option(
      '--deadline <iso>',
      'grade the head of the default branch at this time (ISO 8601 with a time zone); empty: now',
      wrapUsage((text) => (text.trim() ? parseDeadline(text) : undefined)),
    )
    .addOption(
      new Option('--mode <mode>', 'the default branch, or each open pull request')
        .choices(['commits', 'pull-requests'])
        .default('commits'),
    )
    .requiredOption('--out <dir>', 'where the zips go')
    .requiredOption('--targets <file>', 'the targets file for `post`')
    .action(
      async (opts: { org: string; prefix: string; deadline?: Date; mode: Mode; out: string; targets: string }) => {
        const github = githubFrom(env);
        const { manifest, skipped } = await collect(github, {
          org: opts.org,
          prefix: opts.prefix,
          deadline: opts.deadline,
          mode: opts.mode,
          outDir: resolve(opts.out),
        });
        writeFileSync(opts.targets, `${JSON.stringify(manifest, null, 2)}\n`);
        writeOut(collectSummary(manifest, skipped), env);
        const count = manifest.targets.filter((target) => target.sha).length;
        if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `count=${count}\n`);
      },
    );

  program
    .command('post')
    .description("Post each student's result (student view) to the graded commit, and to the pull request")
    .requiredOption('--report <file>', 'the merged staff report.json')
    .requiredOption('--targets <file>', 'the targets file `collect` wrote')
    .addOption(
      new Option('--with <how>', 'a check run (GitHub App token) or a commit status')
        .choices(['check-run', 'status'])
        .default('check-run'),
    )
    .option('--name <name>', 'check run name / status context (default: "Course grade (<prefix>)")')
    .option(
      '--app-id <id>',
      "the course App's id (only its own check runs are updated)",
      wrapUsage((text) => {
        if (!/^\d+$/.test(text.trim())) throw new Error(`--app-id must be a number, got ${JSON.stringify(text)}`);
        return Number(text);
      }),
    )
    .option('--login <login>', 'the login the token posts as (an App: "<app-slug>[bot]"); default: asked from GitHub')
    .action(
      async (opts: {
        report: string;
        targets: string;
        with: 'check-run' | 'status';
        name?: string;
        appId?: number;
        login?: string;
      }) => {
        let passMark: PostOptions['passMark'];
        let report: GradeReport;
        let manifest: CourseManifest;
        try {
          passMark = parsePassMark(env.PASS_MARK);
          manifest = readManifest(opts.targets);
          report = JSON.parse(readFileSync(opts.report, 'utf8')) as GradeReport;
          if (report?.schemaVersion !== 1 || !Array.isArray(report.submissions))
            throw new Error(`${opts.report} is not a grade report`);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        const github = githubFrom(env);
        const lines = await post(github, report, manifest, {
          with: opts.with,
          name: opts.name?.trim() || `Course grade (${manifest.prefix})`,
          key: `rnn-autograder:${manifest.prefix}`,
          appId: opts.appId,
          login: opts.login?.trim() || undefined,
          passMark,
        });
        writeOut(postSummary(manifest, lines), env);
        if (lines.some((line) => line.problem && !line.problem.startsWith('not fetched'))) code = EXIT.incomplete;
      },
    );

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError) {
      process.stderr.write(`course: ${error.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`course: GitHub: ${errorText(error)}\n`);
    return EXIT.crash;
  }
  return code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `course: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = EXIT.crash;
    },
  );
}
