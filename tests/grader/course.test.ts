/**
 * Course-side grading (grader/ci/course.ts and the modules it uses) against a local stand-in for
 * GitHub's REST API (tests/helpers/fake-github.ts: 127.0.0.1 only, bounded, request bodies checked
 * against @octokit/openapi-types at run time and the checking lists held to those types by tsc):
 *
 * - which commit is graded: the head of the default branch at the deadline, from GitHub's record
 *   of pushes (never commit dates), or each open pull request's head;
 * - the assignment's repositories: the Classroom prefix, paging, templates and archives left out;
 * - the download: the zipball (through its redirect), bounded, read by the grader's own discovery;
 * - the poster: a check run (or commit status) and a pull-request comment showing the student view
 *   only, updated in place when the same commit is graded again, never someone else's;
 * - the command line: collect then post, one broken repository costing only its own row;
 * - once with the real grader between them: a sample with a wrong gradient, collected as GitHub's
 *   zip, graded in the sandbox, posted — the real hidden message stays in the staff report.
 *
 * Also type-level: what the poster sends is assignable to the published request bodies.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { parse, stringify } from 'yaml';
import { discoverSubmissions } from '../../grader/discover';
import { collect, main } from '../../grader/ci/course';
import { EXIT } from '../../grader/exit-codes';
import { readManifest, submissionId } from '../../grader/ci/course-manifest';
import type { CourseManifest } from '../../grader/ci/course-manifest';
import { courseResult } from '../../grader/ci/course-result';
import { downloadCommitZip, FetchError } from '../../grader/ci/fetch-submission';
import { makeGitHub } from '../../grader/ci/github';
import { listAssignmentRepos, selectAssignmentRepos } from '../../grader/ci/list-repos';
import { commitToGrade, headAtDeadline, openPullRequestHeads, parseDeadline } from '../../grader/ci/pick-commit';
import type { BranchActivity } from '../../grader/ci/pick-commit';
import {
  checkRunFields,
  commentBody,
  commentMarker,
  setCommitStatus,
  statusFields,
  upsertCheckRun,
  upsertPullRequestComment,
} from '../../grader/ci/post-result';
import type { PosterOptions } from '../../grader/ci/post-result';
import { parsePassMark } from '../../grader/ci/summary';
import type { GradeReport, SubmissionReport } from '../../grader/report-types';
import { bodyProblems, BODY_SPECS, FakeGitHub, LISTS_MATCH_THE_PUBLISHED_TYPES } from '../helpers/fake-github';
import type { FakeActivity, FakeRepo, JsonBody } from '../helpers/fake-github';
import { check, gradeReport, submission as reportSubmission } from '../helpers/report-fixtures';

const ORG = 'course-org';
const TOKEN = 'test-token-123';
const APP = { id: 4242, slug: 'rnn-course' };
const LOGIN = 'rnn-course[bot]';
/** Each network test; the fake answers at once, this only bounds a hang on a busy machine. */
const NET_TIMEOUT_MS = 30_000;

/** The command line of `collect` for ORG's lab8 repositories into `out`, its manifest written to `targets`. */
function collectArgs(out: string, targets: string, ...options: string[]): string[] {
  return ['collect', '--org', ORG, '--prefix', 'lab8', ...options, '--out', out, '--targets', targets];
}

const sha = (n: number) => n.toString(16).padStart(40, '0').replace(/^0/, 'a');
const ZERO = '0'.repeat(40);

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'course-test-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A zip as GitHub's zipball makes it: one wrapper folder `owner-repo-sha7/` holding the repository. */
function zipball(repo: string, commit: string, rnn = 'export const x = 1;\n'): Buffer {
  const zip = new AdmZip();
  const top = `${ORG}-${repo}-${commit.slice(0, 7)}/`;
  zip.addFile(top, Buffer.alloc(0));
  zip.addFile(`${top}rnn.ts`, Buffer.from(rnn));
  zip.addFile(`${top}README.md`, Buffer.from('# lab 8\n'));
  return zip.toBuffer();
}

function activity(
  id: number,
  timestamp: string,
  before: string,
  after: string,
  type: FakeActivity['activity_type'] = 'push',
  branch = 'main',
): FakeActivity {
  return { id, before, after, ref: `refs/heads/${branch}`, timestamp, activity_type: type };
}

async function withFake<T>(repos: FakeRepo[], use: (fake: FakeGitHub) => Promise<T>): Promise<T> {
  const fake = await new FakeGitHub({ org: ORG, repos, token: TOKEN, app: APP, pageSize: 2 }).start();
  try {
    const result = await use(fake);
    expect(fake.problems).toEqual([]);
    return result;
  } finally {
    await fake.close();
  }
}

/** A client of the fake; writes unpaced (the command-line tests below keep GitHub's one second). */
const client = (fake: FakeGitHub, writeIntervalMs = 0) =>
  makeGitHub({ token: TOKEN, baseUrl: fake.url, timeoutMs: 10_000, writeIntervalMs });

// --- which commit ----------------------------------------------------------------------------------

describe('the commit at the deadline (from the record of pushes)', () => {
  const deadline = parseDeadline('2026-12-01T23:59:00+01:00');
  const A = sha(1);
  const B = sha(2);
  const C = sha(3);
  const pushes: BranchActivity[] = [
    activity(1, '2026-11-20T10:00:00Z', ZERO, A, 'branch_creation'),
    activity(2, '2026-12-01T22:58:59Z', A, B),
    activity(3, '2026-12-02T09:00:00Z', B, C, 'force_push'),
  ];

  test('the last push at or before the deadline; its time is what GitHub recorded', () => {
    expect(headAtDeadline(pushes, 'main', deadline)).toEqual({
      sha: B,
      how: expect.stringMatching(/^the last push to main before 2026-12-01T22:59:00\.000Z \(2026-12-01T22:58:59Z\)$/),
    });
    // In any order, and a push exactly at the deadline counts.
    const atDeadline = [...pushes.reverse(), activity(4, '2026-12-01T22:59:00Z', B, C)];
    expect(headAtDeadline(atDeadline, 'main', deadline)?.sha).toBe(C);
  });

  test('nothing pushed before the deadline: the commit the first later push started from', () => {
    const late = [activity(7, '2026-12-03T10:00:00Z', A, B), activity(8, '2026-12-04T10:00:00Z', B, C)];
    expect(headAtDeadline(late, 'main', deadline)).toEqual({
      sha: A,
      how: expect.stringContaining('no push before it'),
    });
  });

  test('a branch created after the deadline, or deleted before it: no submission, said why', () => {
    expect(headAtDeadline([activity(1, '2026-12-05T00:00:00Z', ZERO, A, 'branch_creation')], 'main', deadline)).toEqual(
      { problem: expect.stringContaining('nothing was pushed to main before the deadline') },
    );
    expect(
      headAtDeadline(
        [activity(1, '2026-11-01T00:00:00Z', ZERO, A), activity(2, '2026-11-30T00:00:00Z', A, ZERO, 'branch_deletion')],
        'main',
        deadline,
      ),
    ).toEqual({ problem: expect.stringContaining('deleted before the deadline') });
  });

  test('other branches do not count; no activity at all gives undefined (then the current head is used)', () => {
    expect(
      headAtDeadline([activity(1, '2026-11-01T00:00:00Z', ZERO, A, 'push', 'feature')], 'main', deadline),
    ).toBeUndefined();
    expect(headAtDeadline([], 'main', deadline)).toBeUndefined();
  });

  test('a deadline needs a date, a time and a time zone', () => {
    expect(parseDeadline('2026-12-01T22:59:00Z').toISOString()).toBe('2026-12-01T22:59:00.000Z');
    expect(parseDeadline(' 2026-12-01T23:59+01:00 ').toISOString()).toBe('2026-12-01T22:59:00.000Z');
    for (const bad of ['2026-12-01', '2026-12-01T23:59:00', 'tomorrow', '2026-13-01T00:00:00Z', '']) {
      expect(() => parseDeadline(bad)).toThrow(
        /not an ISO 8601 date and time with a time zone, e\.g\. 2026-12-01T23:59:00\+01:00/,
      );
    }
  });
});

describe("the assignment's repositories", () => {
  const listed = [
    { name: 'lab8-alice', owner: { login: ORG }, default_branch: 'main' },
    { name: 'LAB8-Bob', owner: { login: ORG }, default_branch: 'trunk' },
    { name: 'lab80-carol', owner: { login: ORG }, default_branch: 'main' },
    { name: 'lab8-', owner: { login: ORG }, default_branch: 'main' },
    { name: 'lab8', owner: { login: ORG }, default_branch: 'main' },
    { name: 'lab8-template', owner: { login: ORG }, default_branch: 'main', is_template: true },
    { name: 'lab8-dave', owner: { login: ORG }, default_branch: 'main', archived: true },
    { name: 'lab8-erin', owner: { login: ORG } },
    { name: 'other-frank', owner: { login: ORG }, default_branch: 'main' },
  ];

  test('the Classroom prefix (without case), not a longer one; templates, archived and empty ones skipped with a reason', () => {
    const { repos, skipped } = selectAssignmentRepos(listed, 'lab8');
    expect(repos.map((repo) => [repo.repo, repo.student, repo.defaultBranch])).toEqual([
      ['LAB8-Bob', 'Bob', 'trunk'],
      ['lab8-alice', 'alice', 'main'],
    ]);
    expect(skipped).toEqual([
      { repo: 'lab8-template', reason: expect.stringContaining('template') },
      { repo: 'lab8-dave', reason: expect.stringContaining('archived') },
      { repo: 'lab8-erin', reason: expect.stringContaining('no default branch') },
    ]);
  });

  test('a prefix that cannot be a Classroom prefix is refused', () => {
    for (const bad of ['', 'lab8-', 'lab 8', 'lab8/x'])
      expect(() => selectAssignmentRepos([], bad)).toThrow(/is not a GitHub Classroom repository prefix/);
  });

  test('submission ids: the student, or the student and the pull request; nothing unsafe', () => {
    expect(submissionId('alice')).toBe('alice');
    expect(submissionId('alice', 3)).toBe('alice-pr3');
    expect(submissionId('.hidden')).toBeUndefined();
    expect(submissionId('a/b')).toBeUndefined();
  });

  test(
    'listed from the organisation page by page',
    async () => {
      const repos: FakeRepo[] = ['alice', 'bob', 'carol', 'dave', 'erin'].map((name) => ({
        name: `lab8-${name}`,
        default_branch: 'main',
      }));
      repos.push({ name: 'lab9-zed', default_branch: 'main' });
      await withFake(repos, async (fake) => {
        const { repos: found } = await listAssignmentRepos(client(fake), ORG, 'lab8');
        expect(found.map((repo) => repo.student)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
        // Six repositories, two per page: three pages.
        expect(fake.requests.filter((request) => request.path === `/orgs/${ORG}/repos`)).toHaveLength(3);
      });
    },
    NET_TIMEOUT_MS,
  );
});

describe('commits and pull requests, from GitHub', () => {
  const deadline = parseDeadline('2026-12-01T23:59:00+01:00');

  test(
    "commits mode: the activity pages are read newest first, and only until the deadline's push",
    async () => {
      const activities = [
        activity(1, '2026-11-01T00:00:00Z', ZERO, sha(1), 'branch_creation'),
        activity(2, '2026-11-25T00:00:00Z', sha(1), sha(2)),
        activity(3, '2026-11-30T00:00:00Z', sha(2), sha(3)),
        activity(4, '2026-12-02T00:00:00Z', sha(3), sha(4)),
        activity(5, '2026-12-03T00:00:00Z', sha(4), sha(5)),
        activity(6, '2026-12-04T00:00:00Z', sha(5), sha(6)),
      ];
      await withFake([{ name: 'lab8-alice', default_branch: 'main', head: sha(6), activities }], async (fake) => {
        const repo = { owner: ORG, repo: 'lab8-alice', student: 'alice', defaultBranch: 'main' };
        expect(await commitToGrade(client(fake), repo, deadline)).toMatchObject({ sha: sha(3) });
        const reads = fake.requests.filter((request) => request.path.endsWith('/activity'));
        // Pages of two: [6,5], [4,3] — the second holds the answer, the third is never asked for.
        expect(reads).toHaveLength(2);
        expect(reads[0].query.get('ref')).toBe('main');
        // Without a deadline: the branch's head now.
        expect(await commitToGrade(client(fake), repo, undefined)).toEqual({
          sha: sha(6),
          how: 'the head of main when collected',
        });
      });
    },
    NET_TIMEOUT_MS,
  );

  test(
    'commits mode: no recorded push at all falls back to the current head, and says so',
    async () => {
      await withFake([{ name: 'lab8-bob', default_branch: 'main', head: sha(9) }], async (fake) => {
        const repo = { owner: ORG, repo: 'lab8-bob', student: 'bob', defaultBranch: 'main' };
        expect(await commitToGrade(client(fake), repo, deadline)).toEqual({
          sha: sha(9),
          how: 'the head of main (GitHub records no push to it)',
        });
      });
    },
    NET_TIMEOUT_MS,
  );

  test(
    "pull-requests mode: each open pull request's head",
    async () => {
      await withFake(
        [
          {
            name: 'lab8-carol',
            default_branch: 'main',
            pulls: [
              { number: 7, sha: sha(7) },
              { number: 2, sha: sha(2) },
              { number: 4, sha: sha(4) },
            ],
          },
        ],
        async (fake) => {
          const heads = await openPullRequestHeads(client(fake), {
            owner: ORG,
            repo: 'lab8-carol',
            student: 'carol',
            defaultBranch: 'main',
          });
          expect(heads).toEqual([
            { number: 2, sha: sha(2) },
            { number: 4, sha: sha(4) },
            { number: 7, sha: sha(7) },
          ]);
        },
      );
    },
    NET_TIMEOUT_MS,
  );
});

describe('the download', () => {
  test(
    "the zipball of the commit, through GitHub's redirect, byte for byte",
    async () => {
      const zip = zipball('lab8-alice', sha(1));
      await withFake([{ name: 'lab8-alice', default_branch: 'main', zips: { [sha(1)]: zip } }], async (fake) => {
        const file = join(root, 'alice.zip');
        expect(await downloadCommitZip(client(fake), { owner: ORG, repo: 'lab8-alice' }, sha(1), file)).toBe(
          zip.length,
        );
        expect(readFileSync(file).equals(zip)).toBe(true);
        expect(fake.requests.map((request) => request.path)).toEqual([
          `/repos/${ORG}/lab8-alice/zipball/${sha(1)}`,
          `/_codeload/${ORG}/lab8-alice/zip/${sha(1)}`,
        ]);
      });
    },
    NET_TIMEOUT_MS,
  );

  test(
    'larger than the limit: refused, and no partial file is left; a bad commit id is never asked for',
    async () => {
      // 200 kB that do not compress (the fetcher never looks inside).
      const zip = Buffer.concat(
        Array.from({ length: 6250 }, (_, i) => createHash('sha256').update(String(i)).digest()),
      );
      await withFake([{ name: 'lab8-alice', default_branch: 'main', zips: { [sha(1)]: zip } }], async (fake) => {
        const file = join(root, 'big.zip');
        await expect(
          downloadCommitZip(client(fake), { owner: ORG, repo: 'lab8-alice' }, sha(1), file, 1000),
        ).rejects.toThrow(FetchError);
        expect(existsSync(file)).toBe(false);
        await expect(
          downloadCommitZip(client(fake), { owner: ORG, repo: 'lab8-alice' }, '../../etc', file),
        ).rejects.toThrow('not a commit id');
        expect(fake.requests).toHaveLength(2);
      });
    },
    NET_TIMEOUT_MS,
  );
});

// --- the result and the poster --------------------------------------------------------------------

const HIDDEN_SECRET = 'expected 0.612850 at b[0]';
const DIAGNOSIS = 'gradB.skip-first';

/** A submission with `score` out of 10 and a hidden check that passes only at full marks. */
function submission(id: string, score: number, extra: Partial<SubmissionReport> = {}): SubmissionReport {
  return reportSubmission({
    id,
    path: `/class/${id}.zip`,
    score,
    checks: [
      check({ id: 'contract.exports', status: 'passed', points: 4, maxPoints: 4 }),
      check({
        id: 'grad.b.value',
        status: score >= 10 ? 'passed' : 'failed',
        points: score >= 10 ? 6 : 0,
        maxPoints: 6,
        message: score >= 10 ? '' : `computeGradB is wrong: ${HIDDEN_SECRET}`,
        visibility: 'hidden',
        diagnosis: DIAGNOSIS,
        replay: { seed: 7, path: '3' },
      }),
    ],
    ...extra,
  });
}

function report(submissions: SubmissionReport[], warnings: string[] = []): GradeReport {
  return gradeReport({
    rubric: { source: 'grader/rubric.default.yaml', name: 'RNN lab', maxScore: 10, items: [] },
    warnings,
    submissions,
  });
}

const POSTER: PosterOptions = { name: 'Course grade (lab8)', key: 'rnn-autograder:lab8', appId: APP.id, login: LOGIN };

describe('what is posted (the student view)', () => {
  const how = 'the last push to main before 2026-12-01T22:59:00.000Z';

  test('hidden checks only as the generic line; no hidden message, diagnosis or replay; the commit and how it was chosen', () => {
    const result = courseResult(report([submission('alice', 4)]), submission('alice', 4), { how, sha: sha(1) });
    expect(result.summary).toContain('## Grade: 4 / 10');
    expect(result.summary).toContain('This hidden check gave a wrong result for RNN.grad.b.value.');
    for (const secret of [HIDDEN_SECRET, DIAGNOSIS, 'seed 7']) expect(result.summary).not.toContain(secret);
    expect(result.summary).toContain(
      `Graded by the course at commit \`${sha(1).slice(0, 12)}\`: the last push to main before 2026-12-01T22:59:00.000Z.`,
    );
    expect(result).toMatchObject({ title: 'Grade 4 / 10', conclusion: 'neutral', state: 'success' });
  });

  test('the verdict: pass mark reached or not; a submission that cannot be graded fails; a grading problem is never a failure', () => {
    const passMark = parsePassMark('50%');
    expect(
      courseResult(report([submission('a', 10)]), submission('a', 10), { how, sha: sha(1), passMark }),
    ).toMatchObject({ conclusion: 'success', state: 'success', title: 'Grade 10 / 10: pass mark 5 reached' });
    expect(
      courseResult(report([submission('a', 4)]), submission('a', 4), { how, sha: sha(1), passMark }),
    ).toMatchObject({ conclusion: 'failure', state: 'failure', title: 'Grade 4 / 10: pass mark 5 not reached' });
    const broken = submission('a', 0, { status: 'error', error: 'rnn.ts does not compile' });
    expect(courseResult(report([broken]), broken, { how, sha: sha(1) })).toMatchObject({
      conclusion: 'failure',
      state: 'failure',
    });
    const incomplete = courseResult(
      report([submission('a', 4)], ['The lab data could not be loaded']),
      submission('a', 4),
      { how, sha: sha(1), passMark },
    );
    expect(incomplete).toMatchObject({
      conclusion: 'neutral',
      state: 'error',
      title: expect.stringContaining('not final'),
    });
    expect(
      courseResult(report([submission('a', 4)]), submission('a', 4), {
        how,
        sha: sha(1),
        passMark: parsePassMark('11'),
      }),
    ).toMatchObject({ conclusion: 'neutral', state: 'error' });
  });

  test('a branch name is Markdown-inert in the summary', () => {
    const result = courseResult(report([submission('a', 4)]), submission('a', 4), {
      how: 'the head of <img src=x>|**bold**',
      sha: sha(1),
    });
    expect(result.summary).toContain('the head of \\<img src=x\\>\\|\\*\\*bold\\*\\*');
  });

  test('the bodies the poster sends are the published request bodies (type level), and pass the run-time checks', () => {
    const result = courseResult(report([submission('a', 4)]), submission('a', 4), { how, sha: sha(1) });
    // tsc refuses these lines if a body stops matching @octokit/openapi-types.
    const create: JsonBody<'checks/create'> = { head_sha: sha(1), ...checkRunFields(result, POSTER) };
    const update: JsonBody<'checks/update'> = checkRunFields(result, POSTER);
    const status: JsonBody<'repos/create-commit-status'> = statusFields(result, POSTER);
    const comment: JsonBody<'issues/create-comment'> = { body: commentBody(result, POSTER) };
    expect(bodyProblems(create, BODY_SPECS['checks/create'])).toEqual([]);
    expect(bodyProblems(update, BODY_SPECS['checks/update'])).toEqual([]);
    expect(bodyProblems(status, BODY_SPECS['repos/create-commit-status'])).toEqual([]);
    expect(bodyProblems(comment, BODY_SPECS['issues/create-comment'])).toEqual([]);
    expect(LISTS_MATCH_THE_PUBLISHED_TYPES.every((ok) => ok)).toBe(true);
  });

  test('the run-time checks do refuse a wrong body', () => {
    expect(bodyProblems({ name: 'x' }, BODY_SPECS['checks/create'])).toEqual(['body.head_sha is required']);
    expect(
      bodyProblems({ name: 'x', head_sha: sha(1), conclusion: 'passed', colour: 'red' }, BODY_SPECS['checks/create']),
    ).toEqual([
      'body.conclusion must be one of action_required, cancelled, failure, neutral, success, skipped, stale, timed_out, got "passed"',
      'body.colour is not a field of this operation',
    ]);
    expect(
      bodyProblems({ name: 'x', head_sha: sha(1), output: { summary: 's' } }, BODY_SPECS['checks/create']),
    ).toEqual(['body.output.title is required']);
    expect(bodyProblems({ state: 'success', description: 5 }, BODY_SPECS['repos/create-commit-status'])).toEqual([
      'body.description must be a string, got 5',
    ]);
    expect(bodyProblems('text', BODY_SPECS['issues/create-comment'])).toEqual(['body is not a JSON object']);
  });
});

describe('the poster, against the local GitHub', () => {
  const repos = (): FakeRepo[] => [{ name: 'lab8-alice', default_branch: 'main', pulls: [{ number: 3, sha: sha(1) }] }];
  const target = { owner: ORG, repo: 'lab8-alice', sha: sha(1) };
  const first = courseResult(report([submission('alice', 4)]), submission('alice', 4), { how: 'x', sha: sha(1) });
  const second = courseResult(report([submission('alice', 10)]), submission('alice', 10), { how: 'x', sha: sha(1) });

  test(
    'a check run is created, then updated in place when the same commit is graded again',
    async () => {
      await withFake(repos(), async (fake) => {
        const github = client(fake);
        const created = await upsertCheckRun(github, target, first, POSTER);
        expect(created.action).toBe('created');
        const updated = await upsertCheckRun(github, target, second, POSTER);
        expect(updated).toEqual({ action: 'updated', id: created.id });
        const runs = fake.checkRuns.get('lab8-alice')!;
        expect(runs).toHaveLength(1);
        expect(runs[0]).toMatchObject({
          head_sha: sha(1),
          name: POSTER.name,
          external_id: POSTER.key,
          status: 'completed',
          output: { title: 'Grade 10 / 10' },
        });
        const lookups = fake.requests.filter(
          (request) => request.method === 'GET' && request.path.endsWith('/check-runs'),
        );
        expect(lookups[0].query.get('check_name')).toBe(POSTER.name);
        expect(lookups[0].query.get('app_id')).toBe(String(APP.id));
        for (const request of fake.requests.filter((r) => r.method !== 'GET')) {
          expect(JSON.stringify(request.body)).not.toContain(HIDDEN_SECRET);
          expect(JSON.stringify(request.body)).not.toContain(DIAGNOSIS);
        }
      });
    },
    NET_TIMEOUT_MS,
  );

  test(
    "a check run with the same name from another App (e.g. the student's own workflow) is left alone",
    async () => {
      await withFake(repos(), async (fake) => {
        const foreign = fake.addForeignCheckRun('lab8-alice', {
          head_sha: sha(1),
          name: POSTER.name,
          external_id: POSTER.key,
          status: 'completed',
          conclusion: 'success',
          output: { title: 'Grade 10 / 10', summary: 'fake' },
          app: { id: 15368, slug: 'github-actions' },
        });
        // Even if the listing did not filter by App, the poster checks it itself.
        const result = await upsertCheckRun(client(fake), target, first, { ...POSTER });
        expect(result.action).toBe('created');
        expect(fake.checkRuns.get('lab8-alice')!.find((run) => run.id === foreign.id)!.output.summary).toBe('fake');
        expect(await upsertCheckRun(client(fake), target, first, { ...POSTER, appId: undefined })).toEqual({
          action: 'updated',
          id: result.id,
        });
      });
    },
    NET_TIMEOUT_MS,
  );

  test(
    "the pull-request comment is edited in place; a student's comment carrying the marker is not ours",
    async () => {
      await withFake(repos(), async (fake) => {
        const planted = fake.addComment('lab8-alice', {
          pull: 3,
          body: `${commentMarker(POSTER.key)}\n## Grade: 10 / 10`,
          user: { login: 'alice' },
        });
        const github = client(fake);
        const created = await upsertPullRequestComment(github, { ...target, pull: 3 }, first, POSTER);
        expect(created.action).toBe('created');
        expect(await upsertPullRequestComment(github, { ...target, pull: 3 }, first, POSTER)).toEqual({
          action: 'unchanged',
          id: created.id,
        });
        expect(await upsertPullRequestComment(github, { ...target, pull: 3 }, second, POSTER)).toEqual({
          action: 'updated',
          id: created.id,
        });
        const comments = fake.comments.get('lab8-alice')!;
        expect(comments).toHaveLength(2);
        expect(comments.find((comment) => comment.id === planted.id)!.body).toBe(
          `${commentMarker(POSTER.key)}\n## Grade: 10 / 10`,
        );
        const ours = comments.find((comment) => comment.id === created.id)!;
        expect(ours.body.startsWith(`${commentMarker(POSTER.key)}\n## Grade: 10 / 10`)).toBe(true);
        expect(ours.body).not.toContain(HIDDEN_SECRET);
      });
    },
    NET_TIMEOUT_MS,
  );

  test(
    'a commit status (without an App): set once; the same result again adds nothing; a new one replaces it',
    async () => {
      await withFake(repos(), async (fake) => {
        const github = client(fake);
        expect((await setCommitStatus(github, target, first, POSTER)).action).toBe('created');
        expect((await setCommitStatus(github, target, first, POSTER)).action).toBe('unchanged');
        expect((await setCommitStatus(github, target, second, POSTER)).action).toBe('updated');
        const statuses = fake.statuses.get('lab8-alice')!;
        expect(statuses.map((status) => [status.context, status.state, status.description])).toEqual([
          [POSTER.name, 'success', 'Grade 4 / 10'],
          [POSTER.name, 'success', 'Grade 10 / 10'],
        ]);
      });
    },
    NET_TIMEOUT_MS,
  );

  test(
    'writes are paced (GitHub asks for a second between them), reads are not, even from parallel workers',
    async () => {
      await withFake(repos(), async (fake) => {
        const github = client(fake, 300);
        const started = Date.now();
        await Promise.all([1, 2, 3].map((n) => setCommitStatus(github, { ...target, sha: sha(n) }, first, POSTER)));
        const writes = fake.requests.filter((request) => request.method === 'POST').length;
        expect(writes).toBe(3);
        // Three writes: the 2nd and 3rd wait 300 ms each after the one before; the reads do not wait.
        expect(Date.now() - started).toBeGreaterThanOrEqual(600);
      });
    },
    NET_TIMEOUT_MS,
  );

  test(
    "GitHub's secondary rate limit (403 with retry-after): waited for once, then the write goes through",
    async () => {
      await withFake(repos(), async (fake) => {
        fake.rateLimitOnce.add(`POST /repos/${ORG}/lab8-alice/statuses/${sha(1)}`);
        const started = Date.now();
        expect((await setCommitStatus(client(fake), target, first, POSTER)).action).toBe('created');
        expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
        expect(fake.requests.filter((request) => request.method === 'POST')).toHaveLength(2);
        expect(fake.statuses.get('lab8-alice')).toHaveLength(1);
        // A refusal without retry-after is not retried.
        fake.failures.set(`POST /repos/${ORG}/lab8-alice/statuses/${sha(2)}`, 403);
        await expect(setCommitStatus(client(fake), { ...target, sha: sha(2) }, first, POSTER)).rejects.toMatchObject({
          status: 403,
        });
        expect(fake.requests.filter((request) => request.method === 'POST')).toHaveLength(3);
      });
    },
    NET_TIMEOUT_MS,
  );

  test('a long title is cut to the 140 characters a status description holds', () => {
    expect(statusFields({ ...first, title: 'x'.repeat(300) }, POSTER).description).toHaveLength(140);
  });
});

// --- the command line ---------------------------------------------------------------------------------

describe('course.ts collect and post, end to end against the local GitHub', () => {
  const deadline = '2026-12-01T23:59:00+01:00';
  const classRepos = (): FakeRepo[] => [
    {
      name: 'lab8-alice',
      default_branch: 'main',
      head: sha(2),
      activities: [
        activity(1, '2026-11-20T00:00:00Z', ZERO, sha(1)),
        activity(2, '2026-12-03T00:00:00Z', sha(1), sha(2)),
      ],
      zips: { [sha(1)]: zipball('lab8-alice', sha(1)), [sha(2)]: zipball('lab8-alice', sha(2)) },
    },
    {
      name: 'lab8-bob',
      default_branch: 'main',
      head: sha(3),
      activities: [activity(3, '2026-11-21T00:00:00Z', ZERO, sha(3))],
      zips: {},
    },
    {
      name: 'lab8-carol',
      default_branch: 'main',
      head: sha(4),
      activities: [activity(4, '2026-12-05T00:00:00Z', ZERO, sha(4), 'branch_creation')],
      zips: { [sha(4)]: zipball('lab8-carol', sha(4)) },
    },
    {
      name: 'lab8-dan',
      default_branch: 'main',
      head: sha(5),
      activities: [activity(5, '2026-11-22T00:00:00Z', ZERO, sha(5))],
      zips: { [sha(5)]: zipball('lab8-dan', sha(5)) },
    },
    { name: 'lab8-template', default_branch: 'main', is_template: true },
  ];

  test(
    'collect: one zip per student at the deadline, a manifest; a repository GitHub fails on costs only its row',
    async () => {
      await withFake(classRepos(), async (fake) => {
        const out = join(root, 'class-collect');
        const { manifest, skipped } = await collect(
          client(fake),
          { org: ORG, prefix: 'lab8', deadline: parseDeadline(deadline), mode: 'commits', outDir: out },
          new Date('2026-12-06T00:00:00Z'),
        );
        expect(manifest.targets).toEqual([
          {
            id: 'alice',
            owner: ORG,
            repo: 'lab8-alice',
            sha: sha(1),
            how: expect.stringContaining('the last push to main'),
            pull: undefined,
          },
          {
            id: 'bob',
            owner: ORG,
            repo: 'lab8-bob',
            pull: undefined,
            problem: expect.stringMatching(/^could not download commit .*Not Found/),
          },
          {
            id: `${ORG}/lab8-carol`,
            owner: ORG,
            repo: 'lab8-carol',
            problem: expect.stringContaining('nothing was pushed to main before the deadline'),
          },
          { id: 'dan', owner: ORG, repo: 'lab8-dan', sha: sha(5), how: expect.any(String), pull: undefined },
        ]);
        expect(skipped).toEqual([{ repo: 'lab8-template', reason: expect.any(String) }]);
        expect(readdirSync(out).sort()).toEqual(['alice.zip', 'dan.zip']);
        // The grader's own discovery reads the zips as the submissions alice and dan.
        const found = discoverSubmissions([out], { extractDir: mkdtempSync(join(root, 'extract-')) });
        expect(found.map((s) => [s.id, s.problem, existsSync(join(s.dir, 'rnn.ts'))])).toEqual([
          ['alice', undefined, true],
          ['dan', undefined, true],
        ]);
      });
    },
    NET_TIMEOUT_MS,
  );

  test(
    'the command line: collect writes the targets and a count; post puts the student view on each commit; again, nothing is added',
    async () => {
      await withFake(classRepos(), async (fake) => {
        const env = {
          GRADER_GITHUB_TOKEN: TOKEN,
          GITHUB_API_URL: fake.url,
          GITHUB_OUTPUT: join(root, 'output.txt'),
          GITHUB_STEP_SUMMARY: join(root, 'summary.md'),
          PASS_MARK: '50%',
        };
        writeFileSync(env.GITHUB_OUTPUT, '');
        writeFileSync(env.GITHUB_STEP_SUMMARY, '');
        const out = join(root, 'class-cli');
        const targets = join(root, 'targets.json');
        const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
        try {
          expect(await main(collectArgs(out, targets, '--deadline', deadline), env)).toBe(0);
          expect(readFileSync(env.GITHUB_OUTPUT, 'utf8')).toBe('count=2\n');
          expect(readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8')).toMatch(
            /## Collected 2 submission\(s\) of lab8 \(commits, deadline 2026-12-01T22:59:00\.000Z\)[\s\S]*\| bob \|[^\n]*\*\*not graded:\*\*/,
          );
          const manifest: CourseManifest = readManifest(targets);
          expect(manifest.targets.map((target) => target.id)).toEqual(['alice', 'bob', `${ORG}/lab8-carol`, 'dan']);

          // The merged staff report the grading jobs would write (dan's hidden check fails).
          const reportFile = join(root, 'report.json');
          writeFileSync(reportFile, JSON.stringify(report([submission('alice', 10), submission('dan', 4)])));
          const post = [
            'post',
            '--report',
            reportFile,
            '--targets',
            targets,
            '--with',
            'check-run',
            '--app-id',
            String(APP.id),
            '--login',
            LOGIN,
          ];
          expect(await main(post, env)).toBe(0);
          expect(await main(post, env)).toBe(0);
        } finally {
          write.mockRestore();
        }
        const alice = fake.checkRuns.get('lab8-alice')!;
        const dan = fake.checkRuns.get('lab8-dan')!;
        expect(alice.map((run) => [run.head_sha, run.conclusion, run.output.title])).toEqual([
          [sha(1), 'success', 'Grade 10 / 10: pass mark 5 reached'],
        ]);
        expect(dan.map((run) => [run.head_sha, run.conclusion, run.output.title])).toEqual([
          [sha(5), 'failure', 'Grade 4 / 10: pass mark 5 not reached'],
        ]);
        expect(dan[0].output.summary).toContain('This hidden check gave a wrong result');
        expect(dan[0].output.summary).not.toContain(HIDDEN_SECRET);
        expect(fake.checkRuns.has('lab8-bob')).toBe(false);
        expect(fake.checkRuns.has('lab8-carol')).toBe(false);
        expect(fake.requests.filter((request) => request.method === 'PATCH')).toHaveLength(2);
      });
    },
    NET_TIMEOUT_MS,
  );

  test(
    'pull-requests mode: the head of each open pull request, a check run and one comment each',
    async () => {
      const repos: FakeRepo[] = [
        {
          name: 'lab8-erin',
          default_branch: 'main',
          pulls: [
            { number: 1, sha: sha(11) },
            { number: 2, sha: sha(12) },
          ],
          zips: { [sha(11)]: zipball('lab8-erin', sha(11)), [sha(12)]: zipball('lab8-erin', sha(12)) },
        },
        // No open pull request: listed, not graded. Its name would give alice's first pull request's id.
        { name: 'lab8-erin-pr1', default_branch: 'main' },
      ];
      await withFake(repos, async (fake) => {
        const env = { GRADER_GITHUB_TOKEN: TOKEN, GITHUB_API_URL: fake.url };
        const targets = join(root, 'targets-pr.json');
        const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
        try {
          expect(await main(collectArgs(join(root, 'class-pr'), targets, '--mode', 'pull-requests'), env)).toBe(0);
          expect(
            readManifest(targets).targets.map((target) => [target.id, target.sha, target.pull, target.problem]),
          ).toEqual([
            ['erin-pr1', sha(11), 1, undefined],
            ['erin-pr2', sha(12), 2, undefined],
            [`${ORG}/lab8-erin-pr1`, undefined, undefined, 'no open pull request'],
          ]);
          const reportFile = join(root, 'report-pr.json');
          writeFileSync(reportFile, JSON.stringify(report([submission('erin-pr1', 4), submission('erin-pr2', 10)])));
          // No --login: the poster asks GitHub who the token is.
          for (let run = 0; run < 2; run++)
            expect(
              await main(['post', '--report', reportFile, '--targets', targets, '--app-id', String(APP.id)], env),
            ).toBe(0);
        } finally {
          write.mockRestore();
        }
        expect(
          fake.checkRuns
            .get('lab8-erin')!
            .map((run) => run.head_sha)
            .sort(),
        ).toEqual([sha(11), sha(12)]);
        expect(fake.checkRuns.has('lab8-erin-pr1')).toBe(false);
        expect(fake.comments.get('lab8-erin')!.map((comment) => [comment.pull, comment.body.split('\n')[1]])).toEqual([
          [1, '## Grade: 4 / 10'],
          [2, '## Grade: 10 / 10'],
        ]);
      });
    },
    NET_TIMEOUT_MS,
  );

  test(
    'post: a refused write is reported (exit 3, incomplete) and the other students are still posted',
    async () => {
      const repos: FakeRepo[] = [
        { name: 'lab8-alice', default_branch: 'main' },
        { name: 'lab8-dan', default_branch: 'main' },
      ];
      await withFake(repos, async (fake) => {
        fake.failures.set(`POST /repos/${ORG}/lab8-alice/check-runs`, 403);
        const manifest: CourseManifest = {
          version: 1,
          org: ORG,
          prefix: 'lab8',
          mode: 'commits',
          collectedAt: '2026-12-06T00:00:00Z',
          targets: [
            { id: 'alice', owner: ORG, repo: 'lab8-alice', sha: sha(1), how: 'x' },
            { id: 'dan', owner: ORG, repo: 'lab8-dan', sha: sha(5), how: 'x' },
          ],
        };
        const targets = join(root, 'targets-fail.json');
        writeFileSync(targets, JSON.stringify(manifest));
        const reportFile = join(root, 'report-fail.json');
        writeFileSync(reportFile, JSON.stringify(report([submission('alice', 10), submission('dan', 4)])));
        const summary = join(root, 'summary-fail.md');
        writeFileSync(summary, '');
        const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
        try {
          expect(
            await main(['post', '--report', reportFile, '--targets', targets, '--login', LOGIN], {
              GRADER_GITHUB_TOKEN: TOKEN,
              GITHUB_API_URL: fake.url,
              GITHUB_STEP_SUMMARY: summary,
            }),
          ).toBe(EXIT.incomplete);
        } finally {
          write.mockRestore();
        }
        expect(readFileSync(summary, 'utf8')).toMatch(/\| alice \| {2}\| could not post: failing on purpose \(403\)/);
        expect(fake.checkRuns.get('lab8-dan')).toHaveLength(1);
      });
    },
    NET_TIMEOUT_MS,
  );

  test('bad set-up: no token, a bad deadline or prefix, a used folder, a targets file that is not one — exit 2 before any request', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(collectArgs(join(root, 'x'), join(root, 'x.json')), {})).toBe(2);
      expect(
        await main(collectArgs(join(root, 'x'), join(root, 'x.json'), '--deadline', '2026-12-01'), {
          GRADER_GITHUB_TOKEN: TOKEN,
        }),
      ).toBe(2);
      expect(
        await main(
          ['collect', '--org', ORG, '--prefix', 'lab8-', '--out', join(root, 'x'), '--targets', join(root, 'x.json')],
          { GRADER_GITHUB_TOKEN: TOKEN },
        ),
      ).toBe(2);
      const used = mkdtempSync(join(root, 'used-'));
      writeFileSync(join(used, 'old.zip'), 'from another run');
      expect(
        await main(collectArgs(used, join(root, 'x.json')), {
          GRADER_GITHUB_TOKEN: TOKEN,
          GITHUB_API_URL: 'http://127.0.0.1:9',
        }),
      ).toBe(2);
      writeFileSync(join(root, 'not-targets.json'), '{"version": 2}');
      expect(
        await main(['post', '--report', join(root, 'none.json'), '--targets', join(root, 'not-targets.json')], {
          GRADER_GITHUB_TOKEN: TOKEN,
        }),
      ).toBe(2);
      const messages = stderr.mock.calls.map((call) => String(call[0])).join('');
      expect(messages).toContain('no GitHub token');
      expect(messages).toContain('not an ISO 8601 date and time with a time zone');
      expect(messages).toContain('is not a GitHub Classroom repository prefix');
      expect(messages).toContain('is not a targets file of version 1');
      expect(messages).toContain('is not empty: collect into a new folder (everything in it is graded)');
    } finally {
      stderr.mockRestore();
    }
  });
});

// --- with the real grader between collect and post ------------------------------------------------------

const PROJECT = join(__dirname, '..', '..');
/** Sandbox start, type check and the battery of one sample (no training); on a busy machine. */
const GRADING_TIMEOUT_MS = 240_000;

function runGrader(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(PROJECT, 'node_modules', '.bin', 'tsx'), [join(PROJECT, 'grader', 'cli.ts'), ...args], {
      cwd: PROJECT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

test(
  'collect → the real grader on the zip → post: the id matches, the hidden check shows only its generic line',
  async () => {
    const rnn = readFileSync(join(PROJECT, 'submissions', 'grad-b-skip-first', 'rnn.ts'), 'utf8');
    const repos: FakeRepo[] = [
      {
        name: 'lab8-alice',
        default_branch: 'main',
        head: sha(1),
        zips: { [sha(1)]: zipball('lab8-alice', sha(1), rnn) },
      },
    ];
    await withFake(repos, async (fake) => {
      const env = { GRADER_GITHUB_TOKEN: TOKEN, GITHUB_API_URL: fake.url };
      const dir = mkdtempSync(join(root, 'real-'));
      const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        expect(await main(collectArgs(join(dir, 'class'), join(dir, 'targets.json')), env)).toBe(0);
      } finally {
        write.mockRestore();
      }
      // The default rubric without the training checks (they need the data set and minutes).
      const rubric = parse(readFileSync(join(PROJECT, 'grader', 'rubric.default.yaml'), 'utf8')) as {
        items: Array<{ check?: string }>;
      };
      rubric.items = rubric.items.filter((item) => item.check !== 'train.converges' && item.check !== 'train.step');
      writeFileSync(join(dir, 'rubric.yaml'), stringify(rubric));
      const graded = await runGrader([
        join(dir, 'class'),
        '--out',
        join(dir, 'grade-report'),
        '--format',
        'json',
        '--rubric',
        join(dir, 'rubric.yaml'),
        '--jobs',
        '1',
        '--timeout',
        '120',
      ]);
      expect({ code: graded.code, stderr: graded.code === 0 ? '' : graded.stderr }).toEqual({ code: 0, stderr: '' });
      const staff = JSON.parse(readFileSync(join(dir, 'grade-report', 'report.json'), 'utf8')) as GradeReport;
      expect(staff.submissions.map((s) => s.id)).toEqual(['alice']);
      const hidden = staff.submissions[0].checks.find((c) => c.id === 'grad.b.value')!;
      expect(hidden).toMatchObject({ visibility: 'hidden', status: 'failed' });
      expect(hidden.message.length).toBeGreaterThan(20);

      const posted = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        expect(
          await main(
            [
              'post',
              '--report',
              join(dir, 'grade-report', 'report.json'),
              '--targets',
              join(dir, 'targets.json'),
              '--app-id',
              String(APP.id),
              '--login',
              LOGIN,
            ],
            env,
          ),
        ).toBe(0);
      } finally {
        posted.mockRestore();
      }
      const [run] = fake.checkRuns.get('lab8-alice')!;
      expect(run.head_sha).toBe(sha(1));
      expect(run.output.title).toBe(`Grade ${staff.submissions[0].score} / ${staff.submissions[0].maxScore}`);
      expect(run.output.summary).toMatch(
        /^\| grad\.b\.value \(hidden\) \| RNN\.computeGradB \| ❌ failed \| 0 \/ \d+ \|$/m,
      );
      expect(run.output.summary).toContain('This hidden check gave a wrong result for RNN.computeGradB.');
      expect(run.output.summary).not.toContain(hidden.message.slice(0, 30));
      if (hidden.diagnosis) expect(run.output.summary).not.toContain(hidden.diagnosis);
    });
  },
  GRADING_TIMEOUT_MS,
);
