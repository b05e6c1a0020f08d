/**
 * The GitHub REST client the course-side grading uses (listing, fetching, posting), and the few
 * names shared by those modules. The token is an installation token of the course's GitHub App or
 * a fine-grained token that only the private grader repository holds; it never reaches a runner
 * that executes student code.
 */
import { Octokit } from '@octokit/rest';

export type GitHub = InstanceType<typeof Octokit>;

export interface ClientOptions {
  token: string;
  /** GITHUB_API_URL (GitHub Enterprise, or a local test server); default https://api.github.com. */
  baseUrl?: string;
  /** Per request, in milliseconds (a hung connection must not hang the whole run). */
  timeoutMs?: number;
  /**
   * Least time between two writes (POST, PATCH, PUT, DELETE). GitHub asks for one second: many
   * writes in a burst (a class's check runs and comments) hit its secondary rate limit.
   */
  writeIntervalMs?: number;
}

export function makeGitHub(options: ClientOptions): GitHub {
  if (!options.token.trim())
    throw new Error(
      'no GitHub token: set GRADER_GITHUB_TOKEN (an installation token of the course App, or a fine-grained token).',
    );
  const timeoutMs = options.timeoutMs ?? 60_000;
  const github = new Octokit({
    auth: options.token,
    baseUrl: (options.baseUrl || 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: 'rnn-autograder-course-grading',
    // octokit's fetch takes an AbortSignal; a fresh timeout per request.
    request: {
      fetch: (url: string, init: RequestInit) =>
        fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(timeoutMs) }),
    },
  });
  const interval = options.writeIntervalMs ?? 1000;
  let nextWrite = 0;
  github.hook.before('request', async (request) => {
    if (interval <= 0 || request.method === 'GET' || request.method === 'HEAD') return;
    // Each write takes the next free slot, whichever of the parallel workers asks.
    const now = Date.now();
    const slot = Math.max(now, nextWrite);
    nextWrite = slot + interval;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  });
  // GitHub's secondary rate limit answers 403 or 429 with the seconds to wait: wait once, then
  // try again (a second refusal is reported as it is).
  github.hook.wrap('request', async (request, requestOptions) => {
    try {
      return await request(requestOptions);
    } catch (error) {
      const wait = retryAfterSeconds(error);
      if (wait === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      return request(requestOptions);
    }
  });
  return github;
}

/** Longest wait for a rate limit that is still worth it within a job. */
const MAX_RETRY_AFTER_SECONDS = 120;

/** The `retry-after` of a 403/429 answer, in seconds, when GitHub sent one worth waiting for. */
export function retryAfterSeconds(error: unknown): number | undefined {
  const status = httpStatus(error);
  if (status !== 403 && status !== 429) return undefined;
  const header = (error as { response?: { headers?: Record<string, string | number | undefined> } }).response
    ?.headers?.['retry-after'];
  const seconds = Number(header);
  return header !== undefined && Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_RETRY_AFTER_SECONDS
    ? seconds
    : undefined;
}

/** A repository and one commit in it. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/** `owner/repo` for messages (names GitHub allows: letters, digits, `.`, `-`, `_`). */
export const fullName = (ref: RepoRef) => `${ref.owner}/${ref.repo}`;

/** Text from GitHub (branch names, ...) for one line of a CI log: no control characters, bounded. */
export function logSafe(text: string, max = 200): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** The HTTP status of an octokit error (undefined for anything else). */
export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** An error's message for a log line (octokit's include the request; keep them one line). */
export function errorText(error: unknown): string {
  return logSafe(error instanceof Error ? error.message : String(error), 400);
}
