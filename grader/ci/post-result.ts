/**
 * Posts a student's result back to their repository, so that running again updates instead of
 * adding:
 * - a check run on the graded commit (needs a GitHub App token): found again by name, commit,
 *   our App and `external_id`, then updated in place;
 * - or a commit status (any token with Commit statuses: write): GitHub keeps the latest per
 *   context; an identical one is not posted again;
 * - and on a pull request, one comment, found again by its hidden marker and its author (us: a
 *   student can copy the marker into a comment of their own, which is then left alone).
 */
import type { CourseResult } from './course-result';
import type { GitHub, RepoRef } from './github';

export interface PostTarget extends RepoRef {
  sha: string;
  /** The pull request the commit is the head of (pull-requests mode). */
  pull?: number;
}

export interface PosterOptions {
  /** The check run's name and the commit status's context, e.g. "Course grade (lab8)". */
  name: string;
  /** Identifies our check runs and comments for one assignment, e.g. `rnn-autograder:lab8`. */
  key: string;
  /** Our GitHub App's id (check runs are then only updated when they are the App's own). */
  appId?: number;
  /** Our login (`<app-slug>[bot]` for an App): only our own comment is updated. */
  login: string;
}

export type Outcome = { action: 'created' | 'updated' | 'unchanged'; id?: number };

/** Posts one result where a student sees it; a re-run updates what the last one posted. */
export type Poster<Target extends PostTarget = PostTarget> = (
  github: GitHub,
  target: Target,
  result: CourseResult,
  options: PosterOptions,
) => Promise<Outcome>;

/** The hidden first line that marks our pull-request comment for this assignment. */
export const commentMarker = (key: string) => `<!-- ${key.replace(/--/g, '-')} -->`;

/** The fields of our check run (create and update send the same; create adds head_sha). */
export function checkRunFields(result: CourseResult, options: Pick<PosterOptions, 'name' | 'key'>, now = new Date()) {
  return {
    name: options.name,
    external_id: options.key,
    status: 'completed' as const,
    conclusion: result.conclusion,
    completed_at: now.toISOString(),
    output: { title: result.title, summary: result.summary },
  };
}

/** Creates the check run for the commit, or updates the one an earlier run created. */
export const upsertCheckRun: Poster = async (github, target, result, options) => {
  const { owner, repo, sha } = target;
  const runs = await github.paginate(github.rest.checks.listForRef, {
    owner,
    repo,
    ref: sha,
    check_name: options.name,
    filter: 'all',
    per_page: 100,
    ...(options.appId ? { app_id: options.appId } : {}),
  });
  const ours = runs
    .filter(
      (run) =>
        run.head_sha === sha &&
        run.name === options.name &&
        run.external_id === options.key &&
        (options.appId === undefined || run.app?.id === options.appId),
    )
    .sort((a, b) => b.id - a.id)[0];
  const fields = checkRunFields(result, options);
  if (ours) {
    await github.rest.checks.update({ owner, repo, check_run_id: ours.id, ...fields });
    return { action: 'updated', id: ours.id };
  }
  const { data } = await github.rest.checks.create({ owner, repo, head_sha: sha, ...fields });
  return { action: 'created', id: data.id };
};

/** GitHub cuts a status description at 140 characters. */
const MAX_DESCRIPTION = 140;

/** The fields of our commit status. */
export function statusFields(result: CourseResult, options: Pick<PosterOptions, 'name'>) {
  const description =
    result.title.length > MAX_DESCRIPTION ? `${result.title.slice(0, MAX_DESCRIPTION - 1)}…` : result.title;
  return { state: result.state, context: options.name, description };
}

/** Sets the commit status of our context, unless the latest one already says the same. */
export const setCommitStatus: Poster = async (github, target, result, options) => {
  const { owner, repo, sha } = target;
  const fields = statusFields(result, options);
  // The combined status holds the latest status of each context.
  const { data: combined } = await github.rest.repos.getCombinedStatusForRef({ owner, repo, ref: sha, per_page: 100 });
  const latest = combined.statuses.find((status) => status.context === fields.context);
  if (latest && latest.state === fields.state && latest.description === fields.description)
    return { action: 'unchanged', id: latest.id };
  const { data } = await github.rest.repos.createCommitStatus({ owner, repo, sha, ...fields });
  return { action: latest ? 'updated' : 'created', id: data.id };
};

/** The body of our pull-request comment: the marker line, then the summary. */
export function commentBody(result: CourseResult, options: Pick<PosterOptions, 'key'>): string {
  return `${commentMarker(options.key)}\n${result.summary}`;
}

/** The pull request's comment with the result: ours is edited in place, else one is added. */
export const upsertPullRequestComment: Poster<PostTarget & { pull: number }> = async (
  github,
  target,
  result,
  options,
) => {
  const { owner, repo, pull } = target;
  const marker = commentMarker(options.key);
  const body = commentBody(result, options);
  const comments = await github.paginate(github.rest.issues.listComments, {
    owner,
    repo,
    issue_number: pull,
    per_page: 100,
  });
  const ours = comments.find(
    (comment) => comment.body?.startsWith(marker) && comment.user?.login.toLowerCase() === options.login.toLowerCase(),
  );
  if (ours) {
    if (ours.body === body) return { action: 'unchanged', id: ours.id };
    await github.rest.issues.updateComment({ owner, repo, comment_id: ours.id, body });
    return { action: 'updated', id: ours.id };
  }
  const { data } = await github.rest.issues.createComment({ owner, repo, issue_number: pull, body });
  return { action: 'created', id: data.id };
};

/** Who the token belongs to, when the workflow does not say (a fine-grained token: GET /user). */
export async function tokenLogin(github: GitHub): Promise<string> {
  const { data } = await github.rest.users.getAuthenticated();
  return data.login;
}
