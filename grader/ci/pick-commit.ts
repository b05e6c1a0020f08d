/**
 * Which commit of a student repository is graded:
 * - `commits` mode: the head of the default branch at the deadline. Taken from GitHub's record of
 *   pushes to the branch (the repository activity API: when GitHub received each push), never
 *   from commit dates, which the student writes. The head at the deadline is the `after` of the
 *   last push before it; with no push before it, the `before` of the first push after it.
 * - `pull-requests` mode: the head of each open pull request.
 */
import type { GitHub } from './github';
import type { StudentRepo } from './list-repos';

/** What GitHub records of a change to a branch (the fields of the activity API we use). */
export interface BranchActivity {
  id: number;
  before: string;
  after: string;
  ref: string;
  timestamp: string;
  activity_type: string;
}

export type Choice = { sha: string; how: string } | { sha?: undefined; problem: string };

const NO_COMMIT = /^0{40}$/;

/**
 * A deadline: an ISO 8601 date and time with its time zone (`2026-12-01T23:59:00+01:00` or `…Z`);
 * without one it would depend on the runner's clock settings.
 */
export function parseDeadline(text: string): Date {
  const trimmed = text.trim();
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
  const date = new Date(trimmed);
  if (!iso.test(trimmed) || Number.isNaN(date.getTime())) {
    throw new Error(
      `the deadline ${JSON.stringify(text)} is not an ISO 8601 date and time with a time zone, e.g. 2026-12-01T23:59:00+01:00 or 2026-12-01T22:59:00Z.`,
    );
  }
  return date;
}

/**
 * The head of `branch` at `deadline` from its activities (any order). `undefined` when there are
 * none at all: nothing was pushed as far as GitHub remembers, so the current head is the answer.
 */
export function headAtDeadline(
  activities: readonly BranchActivity[],
  branch: string,
  deadline: Date,
): Choice | undefined {
  const ref = `refs/heads/${branch}`;
  const events = activities
    .filter((activity) => activity.ref === ref || activity.ref === branch)
    .map((activity) => ({ activity, time: Date.parse(activity.timestamp) }))
    .filter((event) => !Number.isNaN(event.time))
    .sort((a, b) => a.time - b.time || a.activity.id - b.activity.id);
  if (events.length === 0) return undefined;
  const limit = deadline.getTime();
  const before = events.filter((event) => event.time <= limit);
  const at = new Date(limit).toISOString();
  if (before.length > 0) {
    const last = before[before.length - 1].activity;
    if (NO_COMMIT.test(last.after))
      return {
        problem: `the branch was deleted before the deadline (${last.timestamp}) and not pushed again before ${at}`,
      };
    return { sha: last.after, how: `the last push to ${branch} before ${at} (${last.timestamp})` };
  }
  const first = events[0].activity;
  if (NO_COMMIT.test(first.before))
    return {
      problem: `nothing was pushed to ${branch} before the deadline ${at} (the branch was created at ${first.timestamp})`,
    };
  return {
    sha: first.before,
    how: `the head of ${branch} at ${at} (no push before it; the first push after it, at ${first.timestamp}, started from this commit)`,
  };
}

/** The commit to grade in `commits` mode: the default branch's head at the deadline, or now. */
export async function commitToGrade(github: GitHub, repo: StudentRepo, deadline: Date | undefined): Promise<Choice> {
  const branch = repo.defaultBranch;
  if (deadline) {
    // Newest first; stop at the first push at or before the deadline.
    const seen: BranchActivity[] = [];
    const pages = github.paginate.iterator(github.rest.repos.listActivities, {
      owner: repo.owner,
      repo: repo.repo,
      ref: branch,
      direction: 'desc',
      per_page: 100,
    });
    for await (const page of pages) {
      seen.push(...page.data);
      if (page.data.some((activity) => Date.parse(activity.timestamp) <= deadline.getTime())) break;
    }
    const choice = headAtDeadline(seen, branch, deadline);
    if (choice) return choice;
  }
  const { data } = await github.rest.repos.getBranch({ owner: repo.owner, repo: repo.repo, branch });
  return {
    sha: data.commit.sha,
    how: deadline ? `the head of ${branch} (GitHub records no push to it)` : `the head of ${branch} when collected`,
  };
}

export interface PullRequestHead {
  number: number;
  sha: string;
}

/** The head commit of every open pull request of the repository, by number. */
export async function openPullRequestHeads(github: GitHub, repo: StudentRepo): Promise<PullRequestHead[]> {
  const pulls = await github.paginate(github.rest.pulls.list, {
    owner: repo.owner,
    repo: repo.repo,
    state: 'open',
    per_page: 100,
  });
  return pulls.map((pull) => ({ number: pull.number, sha: pull.head.sha })).sort((a, b) => a.number - b.number);
}
