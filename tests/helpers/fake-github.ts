/**
 * A local stand-in for the few GitHub REST endpoints course-side grading calls (grader/ci/*), for
 * tests: an HTTP server on 127.0.0.1 only, bounded (request bodies, request count, idle sockets),
 * holding a small organisation in memory.
 *
 * Every JSON body the client sends is checked at run time against the published API description
 * (@octokit/openapi-types): its required fields are there with the right JSON type, enumerated
 * fields hold an allowed value, and it has no field the operation does not define. The lists
 * those checks use are themselves checked by the compiler against the published types (`Same<…>`
 * below), so they cannot drift from them. Anything wrong (a bad body, an unknown route, a missing
 * token) is recorded in `problems` and answered with the status GitHub would give.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { operations } from '@octokit/openapi-types';

// --- the published request bodies, and lists the compiler holds to them ------------------------------

/** The JSON request body of an operation of GitHub's REST API, as published. */
export type JsonBody<Op extends keyof operations> = operations[Op] extends {
  requestBody: { content: { 'application/json': infer Body } };
}
  ? Body
  : operations[Op] extends { requestBody?: { content: { 'application/json': infer Body } } }
    ? Body
    : never;

/**
 * T without index signatures (some bodies are published as `{…} & ({ status?: 'completed';
 * [key: string]: unknown } | …)`), member by member of a union.
 */
export type Known<T> = T extends unknown
  ? { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] }
  : never;

/** The named keys of T (of any member of a union). */
export type KnownKeys<T> = Known<T> extends infer U ? (U extends unknown ? keyof U : never) : never;

/** The keys of T that are not optional (in any member of a union). */
export type RequiredKeys<T> =
  Known<T> extends infer U
    ? U extends unknown
      ? { [K in keyof U]-?: object extends Pick<U, K> ? never : K }[keyof U]
      : never
    : never;

/** true when A and B are the same set of (literal) types. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

type Keys<T> = readonly KnownKeys<T>[];

interface BodySpec {
  /** Every field the operation defines (others are refused). */
  fields: readonly string[];
  required: readonly string[];
  /** Fields that must be JSON strings when present. */
  strings: readonly string[];
  /** Fields with a closed set of values. */
  enums: Readonly<Record<string, readonly string[]>>;
  /** Sub-objects, checked the same way. */
  objects?: Readonly<Record<string, BodySpec>>;
}

type CheckRunCreate = JsonBody<'checks/create'>;
type CheckRunUpdate = JsonBody<'checks/update'>;
type StatusCreate = JsonBody<'repos/create-commit-status'>;
type CommentCreate = JsonBody<'issues/create-comment'>;
type CommentUpdate = JsonBody<'issues/update-comment'>;
type CheckRunOutput = NonNullable<CheckRunCreate['output']>;

const CHECK_RUN_CREATE_FIELDS = [
  'name',
  'head_sha',
  'details_url',
  'external_id',
  'status',
  'started_at',
  'conclusion',
  'completed_at',
  'output',
  'actions',
] as const satisfies Keys<CheckRunCreate>;
const CHECK_RUN_CREATE_REQUIRED = ['name', 'head_sha'] as const;
const CHECK_RUN_UPDATE_FIELDS = [
  'name',
  'details_url',
  'external_id',
  'started_at',
  'status',
  'conclusion',
  'completed_at',
  'output',
  'actions',
] as const satisfies Keys<CheckRunUpdate>;
const CHECK_RUN_UPDATE_REQUIRED = [] as const;
const CHECK_RUN_STATUSES = ['queued', 'in_progress', 'completed'] as const;
// (The published update body lists six statuses but narrows them to these three by a union.)
const CHECK_RUN_UPDATE_STATUSES = ['queued', 'in_progress', 'completed'] as const;
const CONCLUSIONS = [
  'action_required',
  'cancelled',
  'failure',
  'neutral',
  'success',
  'skipped',
  'stale',
  'timed_out',
] as const;
const UPDATE_CONCLUSIONS = [
  'action_required',
  'cancelled',
  'failure',
  'neutral',
  'success',
  'skipped',
  'stale',
  'timed_out',
] as const;
const OUTPUT_FIELDS = ['title', 'summary', 'text', 'annotations', 'images'] as const satisfies Keys<CheckRunOutput>;
const OUTPUT_REQUIRED = ['title', 'summary'] as const;
type CheckRunUpdateOutput = NonNullable<Known<CheckRunUpdate>['output']>;
const UPDATE_OUTPUT_FIELDS = [
  'title',
  'summary',
  'text',
  'annotations',
  'images',
] as const satisfies Keys<CheckRunUpdateOutput>;
const UPDATE_OUTPUT_REQUIRED = ['summary'] as const;
const STATUS_FIELDS = ['state', 'target_url', 'description', 'context'] as const satisfies Keys<StatusCreate>;
const STATUS_REQUIRED = ['state'] as const;
const STATUS_STATES = ['error', 'failure', 'pending', 'success'] as const;
const COMMENT_FIELDS = ['body'] as const satisfies Keys<CommentCreate>;
const COMMENT_REQUIRED = ['body'] as const;
const COMMENT_UPDATE_FIELDS = ['body'] as const satisfies Keys<CommentUpdate>;

/**
 * The compiler's proof that the lists above are exactly the published ones: each line is `true`
 * only if the list and the published type hold the same names (a field added to, removed from or
 * made required in @octokit/openapi-types breaks `tsc`).
 */
export const LISTS_MATCH_THE_PUBLISHED_TYPES: readonly true[] = [
  true satisfies Same<(typeof CHECK_RUN_CREATE_FIELDS)[number], KnownKeys<CheckRunCreate>>,
  true satisfies Same<(typeof CHECK_RUN_CREATE_REQUIRED)[number], RequiredKeys<CheckRunCreate>>,
  true satisfies Same<(typeof CHECK_RUN_UPDATE_FIELDS)[number], KnownKeys<CheckRunUpdate>>,
  true satisfies Same<(typeof CHECK_RUN_UPDATE_REQUIRED)[number], RequiredKeys<CheckRunUpdate>>,
  true satisfies Same<(typeof CHECK_RUN_STATUSES)[number], NonNullable<CheckRunCreate['status']>>,
  true satisfies Same<(typeof CHECK_RUN_UPDATE_STATUSES)[number], NonNullable<CheckRunUpdate['status']>>,
  true satisfies Same<(typeof CONCLUSIONS)[number], NonNullable<CheckRunCreate['conclusion']>>,
  true satisfies Same<(typeof UPDATE_CONCLUSIONS)[number], NonNullable<CheckRunUpdate['conclusion']>>,
  true satisfies Same<(typeof OUTPUT_FIELDS)[number], KnownKeys<CheckRunOutput>>,
  true satisfies Same<(typeof OUTPUT_REQUIRED)[number], RequiredKeys<CheckRunOutput>>,
  true satisfies Same<(typeof UPDATE_OUTPUT_FIELDS)[number], KnownKeys<CheckRunUpdateOutput>>,
  true satisfies Same<(typeof UPDATE_OUTPUT_REQUIRED)[number], RequiredKeys<CheckRunUpdateOutput>>,
  true satisfies Same<(typeof STATUS_FIELDS)[number], KnownKeys<StatusCreate>>,
  true satisfies Same<(typeof STATUS_REQUIRED)[number], RequiredKeys<StatusCreate>>,
  true satisfies Same<(typeof STATUS_STATES)[number], StatusCreate['state']>,
  true satisfies Same<(typeof COMMENT_FIELDS)[number], KnownKeys<CommentCreate>>,
  true satisfies Same<(typeof COMMENT_REQUIRED)[number], RequiredKeys<CommentCreate>>,
  true satisfies Same<(typeof COMMENT_UPDATE_FIELDS)[number], KnownKeys<CommentUpdate>>,
  true satisfies Same<(typeof COMMENT_REQUIRED)[number], RequiredKeys<CommentUpdate>>,
];

const OUTPUT_SPEC: BodySpec = {
  fields: OUTPUT_FIELDS,
  required: OUTPUT_REQUIRED,
  strings: ['title', 'summary', 'text'],
  enums: {},
};
const UPDATE_OUTPUT_SPEC: BodySpec = {
  fields: UPDATE_OUTPUT_FIELDS,
  required: UPDATE_OUTPUT_REQUIRED,
  strings: ['title', 'summary', 'text'],
  enums: {},
};

export const BODY_SPECS = {
  'checks/create': {
    fields: CHECK_RUN_CREATE_FIELDS,
    required: CHECK_RUN_CREATE_REQUIRED,
    strings: ['name', 'head_sha', 'details_url', 'external_id', 'started_at', 'completed_at'],
    enums: { status: CHECK_RUN_STATUSES, conclusion: CONCLUSIONS },
    objects: { output: OUTPUT_SPEC },
  },
  'checks/update': {
    fields: CHECK_RUN_UPDATE_FIELDS,
    required: CHECK_RUN_UPDATE_REQUIRED,
    strings: ['name', 'details_url', 'external_id', 'started_at', 'completed_at'],
    enums: { status: CHECK_RUN_UPDATE_STATUSES, conclusion: UPDATE_CONCLUSIONS },
    objects: { output: UPDATE_OUTPUT_SPEC },
  },
  'repos/create-commit-status': {
    fields: STATUS_FIELDS,
    required: STATUS_REQUIRED,
    strings: ['target_url', 'description', 'context'],
    enums: { state: STATUS_STATES },
  },
  'issues/create-comment': { fields: COMMENT_FIELDS, required: COMMENT_REQUIRED, strings: ['body'], enums: {} },
  'issues/update-comment': { fields: COMMENT_UPDATE_FIELDS, required: COMMENT_REQUIRED, strings: ['body'], enums: {} },
} as const satisfies Record<string, BodySpec>;

/** What is wrong with `body` for `spec` (empty: nothing). */
export function bodyProblems(body: unknown, spec: BodySpec, where = 'body'): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [`${where} is not a JSON object`];
  const record = body as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of spec.required) if (record[key] === undefined) problems.push(`${where}.${key} is required`);
  for (const [key, value] of Object.entries(record)) {
    if (!spec.fields.includes(key)) problems.push(`${where}.${key} is not a field of this operation`);
    else if (spec.strings.includes(key) && typeof value !== 'string')
      problems.push(`${where}.${key} must be a string, got ${JSON.stringify(value)}`);
    else if (spec.enums[key] && !spec.enums[key].includes(value as string))
      problems.push(`${where}.${key} must be one of ${spec.enums[key].join(', ')}, got ${JSON.stringify(value)}`);
    else if (spec.objects?.[key]) problems.push(...bodyProblems(value, spec.objects[key], `${where}.${key}`));
  }
  return problems;
}

// --- the organisation -------------------------------------------------------------------------------

export interface FakeActivity {
  id: number;
  before: string;
  after: string;
  ref: string;
  timestamp: string;
  activity_type: 'push' | 'force_push' | 'branch_deletion' | 'branch_creation' | 'pr_merge' | 'merge_queue_merge';
}

export interface FakeRepo {
  name: string;
  default_branch: string | null;
  archived?: boolean;
  is_template?: boolean;
  /** The branch's head now. */
  head?: string;
  activities?: FakeActivity[];
  pulls?: Array<{ number: number; sha: string }>;
  /** Zip archives by commit. */
  zips?: Record<string, Buffer>;
}

export interface FakeCheckRun {
  id: number;
  head_sha: string;
  name: string;
  external_id: string | null;
  status: string;
  conclusion: string | null;
  output: { title: string | null; summary: string | null };
  app: { id: number; slug: string };
}

export interface FakeStatus {
  id: number;
  sha: string;
  state: string;
  context: string;
  description: string | null;
}

export interface FakeComment {
  id: number;
  pull: number;
  body: string;
  user: { login: string };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body?: unknown;
}

export interface FakeOptions {
  org: string;
  repos: FakeRepo[];
  token: string;
  /** The App the token belongs to (check runs it creates carry it). */
  app: { id: number; slug: string };
  /** Items per page at most (small, so that the client's paging is exercised). */
  pageSize?: number;
  /** Refuse further requests after this many (a client in a loop cannot spin forever). */
  maxRequests?: number;
}

const MAX_BODY_BYTES = 1024 * 1024;

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly problems: string[] = [];
  readonly checkRuns = new Map<string, FakeCheckRun[]>();
  readonly statuses = new Map<string, FakeStatus[]>();
  readonly comments = new Map<string, FakeComment[]>();
  /** Requests to answer with this status instead (key: `METHOD path`), e.g. to test failures. */
  readonly failures = new Map<string, number>();
  /** Requests to refuse once with GitHub's secondary rate limit (403, retry-after: 1). */
  readonly rateLimitOnce = new Set<string>();
  url = '';
  private nextId = 1000;
  private server?: Server;

  constructor(readonly options: FakeOptions) {}

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.problems.push(`the fake server failed: ${(error as Error).stack}`);
        if (!response.headersSent) this.json(response, 500, { message: 'fake server error' });
      });
    });
    server.requestTimeout = 10_000;
    server.headersTimeout = 10_000;
    server.keepAliveTimeout = 1_000;
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  repo(name: string): FakeRepo {
    const repo = this.options.repos.find((candidate) => candidate.name === name);
    if (!repo) throw new Error(`no fake repository ${name}`);
    return repo;
  }

  /** Adds a check run as another App (e.g. a student's own workflow) would. */
  addForeignCheckRun(repo: string, run: Omit<FakeCheckRun, 'id'>): FakeCheckRun {
    const created = { ...run, id: this.nextId++ };
    this.list(this.checkRuns, repo).push(created);
    return created;
  }

  addComment(repo: string, comment: Omit<FakeComment, 'id'>): FakeComment {
    const created = { ...comment, id: this.nextId++ };
    this.list(this.comments, repo).push(created);
    return created;
  }

  private list<T>(map: Map<string, T[]>, repo: string): T[] {
    if (!map.has(repo)) map.set(repo, []);
    return map.get(repo)!;
  }

  private json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    response.end(text);
  }

  /** One page of `items` (page, per_page), with GitHub's Link header to the next one. */
  private page(
    request: RecordedRequest,
    response: ServerResponse,
    items: unknown[],
    wrap?: (items: unknown[]) => unknown,
  ): void {
    const perPage = Math.min(Number(request.query.get('per_page') ?? 30) || 30, this.options.pageSize ?? 2);
    const page = Math.max(1, Number(request.query.get('page') ?? 1) || 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const next = new URLSearchParams(request.query);
      next.set('page', String(page + 1));
      headers.link = `<${this.url}${request.path}?${next.toString()}>; rel="next"`;
    }
    this.json(response, 200, wrap ? wrap(slice) : slice, headers);
  }

  private async readBody(request: IncomingMessage): Promise<unknown> {
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw Object.assign(new Error('body too large'), { status: 413 });
      chunks.push(chunk);
    }
    if (size === 0) return undefined;
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      return JSON.parse(text);
    } catch {
      throw Object.assign(new Error(`body is not JSON: ${text.slice(0, 100)}`), { status: 400 });
    }
  }

  private checked(operation: keyof typeof BODY_SPECS, body: unknown, response: ServerResponse): boolean {
    const problems = bodyProblems(body, BODY_SPECS[operation]);
    if (problems.length === 0) return true;
    this.problems.push(...problems.map((problem) => `${operation}: ${problem}`));
    this.json(response, 422, { message: 'Validation Failed', errors: problems });
    return false;
  }

  private async handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(incoming.url ?? '/', this.url);
    const method = incoming.method ?? 'GET';
    let body: unknown;
    try {
      body = await this.readBody(incoming);
    } catch (error) {
      const status = (error as { status?: number }).status ?? 400;
      this.problems.push(`${method} ${url.pathname}: ${(error as Error).message}`);
      return this.json(response, status, { message: (error as Error).message });
    }
    const request: RecordedRequest = { method, path: url.pathname, query: url.searchParams, body };
    this.requests.push(request);
    if (this.requests.length > (this.options.maxRequests ?? 500)) {
      this.problems.push(`more than ${this.options.maxRequests ?? 500} requests`);
      return this.json(response, 429, { message: 'too many requests for a test' });
    }
    if (this.rateLimitOnce.delete(`${method} ${url.pathname}`)) {
      return this.json(
        response,
        403,
        { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
        { 'retry-after': '1' },
      );
    }
    const failure = this.failures.get(`${method} ${url.pathname}`);
    if (failure) return this.json(response, failure, { message: `failing on purpose (${failure})` });

    // The archive's download (GitHub redirects the API's zipball to codeload, without the token).
    const codeload = /^\/_codeload\/([^/]+)\/([^/]+)\/zip\/([0-9a-f]{40})$/.exec(url.pathname);
    if (method === 'GET' && codeload) {
      const zip = this.options.repos.find((repo) => repo.name === codeload[2])?.zips?.[codeload[3]];
      if (!zip) return this.json(response, 404, { message: 'Not Found' });
      response.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length });
      return void response.end(zip);
    }

    const auth = incoming.headers.authorization ?? '';
    if (
      auth !== `token ${this.options.token}` &&
      auth !== `bearer ${this.options.token}` &&
      auth !== `Bearer ${this.options.token}`
    ) {
      this.problems.push(
        `${method} ${url.pathname} without the token (authorization: ${JSON.stringify(auth.slice(0, 12))}…)`,
      );
      return this.json(response, 401, { message: 'Bad credentials' });
    }
    if (!/^rnn-autograder/.test(incoming.headers['user-agent'] ?? ''))
      this.problems.push(`${method} ${url.pathname}: unexpected user agent ${incoming.headers['user-agent']}`);

    const route = (pattern: RegExp) => pattern.exec(url.pathname);
    const org = this.options.org;
    let match: RegExpExecArray | null;

    if (method === 'GET' && url.pathname === '/user')
      return this.json(response, 200, { login: `${this.options.app.slug}[bot]`, id: 1, type: 'Bot' });

    if (method === 'GET' && (match = route(/^\/orgs\/([^/]+)\/repos$/))) {
      if (match[1] !== org) return this.json(response, 404, { message: 'Not Found' });
      const repos = this.options.repos.map((repo) => ({
        id: this.idOf(repo.name),
        name: repo.name,
        full_name: `${org}/${repo.name}`,
        owner: { login: org },
        default_branch: repo.default_branch ?? undefined,
        archived: repo.archived ?? false,
        is_template: repo.is_template ?? false,
      }));
      return this.page(request, response, repos);
    }

    match = route(/^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/);
    if (!match || match[1] !== org) return this.unknown(request, response);
    const repoName = match[2];
    const repo = this.options.repos.find((candidate) => candidate.name === repoName);
    if (!repo) return this.json(response, 404, { message: 'Not Found' });
    const rest = match[3] ?? '';
    let sub: RegExpExecArray | null;

    if (method === 'GET' && rest === '/activity') {
      // Newest first, as GitHub lists them (direction=desc is the default).
      const ref = url.searchParams.get('ref');
      const wanted = (repo.activities ?? []).filter(
        (activity) => !ref || activity.ref === ref || activity.ref === `refs/heads/${ref}`,
      );
      const sorted = [...wanted].sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp) || b.id - a.id);
      if (url.searchParams.get('direction') === 'asc') sorted.reverse();
      return this.page(
        request,
        response,
        sorted.map((activity) => ({ ...activity, node_id: `A_${activity.id}`, actor: null })),
      );
    }
    if (method === 'GET' && (sub = /^\/branches\/([^/]+)$/.exec(rest))) {
      if (decodeURIComponent(sub[1]) !== repo.default_branch || !repo.head)
        return this.json(response, 404, { message: 'Branch not found' });
      return this.json(response, 200, { name: repo.default_branch, commit: { sha: repo.head }, protected: false });
    }
    if (method === 'GET' && rest === '/pulls') {
      if (url.searchParams.get('state') !== 'open') this.problems.push('pulls listed without state=open');
      return this.page(
        request,
        response,
        (repo.pulls ?? []).map((pull) => ({
          number: pull.number,
          state: 'open',
          head: { sha: pull.sha, ref: `feature-${pull.number}` },
        })),
      );
    }
    if (method === 'GET' && (sub = /^\/zipball\/(.+)$/.exec(rest))) {
      const ref = decodeURIComponent(sub[1]);
      if (!repo.zips?.[ref]) return this.json(response, 404, { message: 'Not Found' });
      response.writeHead(302, {
        location: `${this.url}/_codeload/${org}/${repo.name}/zip/${ref}`,
        'content-length': 0,
      });
      return void response.end();
    }
    if (method === 'GET' && (sub = /^\/commits\/([0-9a-f]{40})\/check-runs$/.exec(rest))) {
      const name = url.searchParams.get('check_name');
      const appId = url.searchParams.get('app_id');
      const runs = this.list(this.checkRuns, repo.name).filter(
        (run) => run.head_sha === sub![1] && (!name || run.name === name) && (!appId || String(run.app.id) === appId),
      );
      return this.page(request, response, runs, (items) => ({ total_count: runs.length, check_runs: items }));
    }
    if (method === 'POST' && rest === '/check-runs') {
      if (!this.checked('checks/create', body, response)) return;
      const fields = body as CheckRunCreate;
      const run: FakeCheckRun = {
        id: this.nextId++,
        head_sha: fields.head_sha,
        name: fields.name,
        external_id: fields.external_id ?? null,
        status: fields.status ?? 'queued',
        conclusion: fields.conclusion ?? null,
        output: { title: fields.output?.title ?? null, summary: fields.output?.summary ?? null },
        app: this.options.app,
      };
      this.list(this.checkRuns, repo.name).push(run);
      return this.json(response, 201, run);
    }
    if (method === 'PATCH' && (sub = /^\/check-runs\/(\d+)$/.exec(rest))) {
      if (!this.checked('checks/update', body, response)) return;
      const run = this.list(this.checkRuns, repo.name).find((candidate) => candidate.id === Number(sub![1]));
      if (!run) return this.json(response, 404, { message: 'Not Found' });
      // A check run can only be changed by the App that created it.
      if (run.app.id !== this.options.app.id) {
        this.problems.push(`PATCH of check run ${run.id}, which another App created`);
        return this.json(response, 403, { message: 'Resource not accessible by integration' });
      }
      const fields = body as CheckRunUpdate;
      Object.assign(run, {
        name: fields.name ?? run.name,
        external_id: fields.external_id ?? run.external_id,
        status: fields.status ?? run.status,
        conclusion: fields.conclusion ?? run.conclusion,
        output: fields.output ? { title: fields.output.title, summary: fields.output.summary } : run.output,
      });
      return this.json(response, 200, run);
    }
    if (method === 'GET' && (sub = /^\/commits\/([0-9a-f]{40})\/status$/.exec(rest))) {
      // The latest status of each context, newest first.
      const all = this.list(this.statuses, repo.name).filter((status) => status.sha === sub![1]);
      const latest = new Map<string, FakeStatus>();
      for (const status of all) latest.set(status.context, status);
      const statuses = [...latest.values()].reverse();
      return this.json(response, 200, {
        state: statuses[0]?.state ?? 'pending',
        sha: sub[1],
        total_count: statuses.length,
        statuses,
      });
    }
    if (method === 'POST' && (sub = /^\/statuses\/([0-9a-f]{40})$/.exec(rest))) {
      if (!this.checked('repos/create-commit-status', body, response)) return;
      const fields = body as StatusCreate;
      const status: FakeStatus = {
        id: this.nextId++,
        sha: sub[1],
        state: fields.state,
        context: fields.context ?? 'default',
        description: fields.description ?? null,
      };
      this.list(this.statuses, repo.name).push(status);
      return this.json(response, 201, status);
    }
    if (method === 'GET' && (sub = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      return this.page(
        request,
        response,
        this.list(this.comments, repo.name).filter((comment) => comment.pull === Number(sub![1])),
      );
    }
    if (method === 'POST' && (sub = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      if (!this.checked('issues/create-comment', body, response)) return;
      if (!(repo.pulls ?? []).some((pull) => pull.number === Number(sub![1])))
        return this.json(response, 404, { message: 'Not Found' });
      const comment = this.addComment(repo.name, {
        pull: Number(sub[1]),
        body: (body as CommentCreate).body,
        user: { login: `${this.options.app.slug}[bot]` },
      });
      return this.json(response, 201, comment);
    }
    if (method === 'PATCH' && (sub = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      if (!this.checked('issues/update-comment', body, response)) return;
      const comment = this.list(this.comments, repo.name).find((candidate) => candidate.id === Number(sub![1]));
      if (!comment) return this.json(response, 404, { message: 'Not Found' });
      if (comment.user.login !== `${this.options.app.slug}[bot]`) {
        this.problems.push(`PATCH of comment ${comment.id}, written by ${comment.user.login}`);
        return this.json(response, 403, { message: 'Resource not accessible by integration' });
      }
      comment.body = (body as CommentUpdate).body;
      return this.json(response, 200, comment);
    }
    return this.unknown(request, response);
  }

  private unknown(request: RecordedRequest, response: ServerResponse): void {
    this.problems.push(`unknown route ${request.method} ${request.path}`);
    this.json(response, 404, { message: 'Not Found (not implemented by the fake)' });
  }

  private idOf(name: string): number {
    return this.options.repos.findIndex((repo) => repo.name === name) + 1;
  }
}
