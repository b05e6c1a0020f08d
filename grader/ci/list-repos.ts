/**
 * The student repositories of one assignment: GitHub Classroom names them `<prefix>-<login>` (or
 * `<prefix>-<team>`) in the course's organisation. The part after the prefix is the submission's
 * id in the reports.
 */
import { compareIds } from '../discover';
import type { GitHub, RepoRef } from './github';

export interface StudentRepo extends RepoRef {
  /** The repository name without `<prefix>-`: the student's login (or team name). */
  student: string;
  defaultBranch: string;
}

export interface RepoListing {
  repos: StudentRepo[];
  /** Repositories with the prefix that are not graded, and why (for the staff log). */
  skipped: Array<{ repo: string; reason: string }>;
}

/** A Classroom prefix: what GitHub allows in repository names, not ending in `-`. */
export function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(prefix) || prefix.endsWith('-')) {
    throw new Error(
      `the assignment prefix ${JSON.stringify(prefix)} is not a GitHub Classroom repository prefix (letters, digits, '.', '-', '_'; without the trailing '-').`,
    );
  }
  return prefix;
}

interface ListedRepo {
  name: string;
  owner: { login: string };
  default_branch?: string;
  archived?: boolean;
  is_template?: boolean;
}

/** Picks the assignment's repositories out of an organisation's list (pure: tested on its own). */
export function selectAssignmentRepos(listed: readonly ListedRepo[], prefix: string): RepoListing {
  checkPrefix(prefix);
  const start = `${prefix}-`.toLowerCase();
  const repos: StudentRepo[] = [];
  const skipped: RepoListing['skipped'] = [];
  for (const repo of listed) {
    // GitHub compares repository names without case; so does the prefix.
    if (!repo.name.toLowerCase().startsWith(start) || repo.name.length === start.length) continue;
    if (repo.is_template)
      skipped.push({ repo: repo.name, reason: 'a template repository (the starter code), not a student' });
    else if (repo.archived)
      skipped.push({ repo: repo.name, reason: 'archived (read-only: a result could not be posted)' });
    else if (!repo.default_branch) skipped.push({ repo: repo.name, reason: 'no default branch (an empty repository)' });
    else
      repos.push({
        owner: repo.owner.login,
        repo: repo.name,
        student: repo.name.slice(start.length),
        defaultBranch: repo.default_branch,
      });
  }
  repos.sort((a, b) => compareIds(a.student, b.student));
  return { repos, skipped };
}

/** Every repository of `org` the token can see, filtered to the assignment's. */
export async function listAssignmentRepos(github: GitHub, org: string, prefix: string): Promise<RepoListing> {
  const listed = await github.paginate(github.rest.repos.listForOrg, { org, type: 'all', per_page: 100 });
  return selectAssignmentRepos(listed, prefix);
}
