/**
 * Grading at course scale: N shard runs merged equal one unsharded run, with the REAL grader (the
 * sandbox, the compiler, the checks) on copies of a few fast samples, each shard run through
 * deploy/k8s/grade-shard.sh exactly as a pod of the Indexed Job would (JOB_COMPLETION_INDEX 0-based
 * → --shard 1-based). A missing, repeated or foreign shard makes `merge` fail (exit 2, a message
 * naming it, nothing written), never drop or double a submission. The pure merge rules are in
 * merge.test.ts; this is the end-to-end proof. The slow training checks are left out of the rubric.
 *
 * Also: the GitHub workflow and the Kubernetes Job parse and carry the fields that make them work.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { GradeReport } from '../../grader/report-types';

const PROJECT = join(__dirname, '..', '..');
const TSX = join(PROJECT, 'node_modules', '.bin', 'tsx');
const CLI = join(PROJECT, 'grader', 'cli.ts');
const SAMPLES = ['grad-c-flipped-sign', 'skeleton', 'broken-syntax-error', 'broken-throws', 'forward-no-bias'];
const SHARDS = 3;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: Record<string, string> = {}, cwd = root): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const grader = (args: string[]) => run(TSX, [CLI, ...args]);
const read = (dir: string) => JSON.parse(readFileSync(join(root, dir, 'report.json'), 'utf8')) as GradeReport;

/** Shard 2's report, changed by `edit`, written into the folder `dir`. */
function alteredShard(dir: string, edit: (report: GradeReport) => void): void {
  const report = read('reports/shard-2');
  edit(report);
  mkdirSync(join(root, dir));
  writeFileSync(join(root, dir, 'report.json'), JSON.stringify(report));
}
/** A report without its timing fields (the only ones allowed to differ between gradings). */
const withoutTiming = (report: GradeReport) =>
  JSON.parse(
    JSON.stringify(report, (key, value) => (key === 'durationMs' || key === 'generatedAt' ? undefined : value)),
  );

let root: string;
let whole: Run;
let shards: Run[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'shards-test-'));
  for (const sample of SAMPLES)
    cpSync(join(PROJECT, 'submissions', sample), join(root, 'class', sample), { recursive: true });
  // The default rubric without the slow training checks (500 steps, real data).
  const rubric = parse(readFileSync(join(PROJECT, 'grader', 'rubric.default.yaml'), 'utf8')) as {
    name: string;
    items: Array<{ check?: string }>;
  };
  rubric.items = rubric.items.filter((item) => item.check !== 'train.converges' && item.check !== 'train.step');
  writeFileSync(join(root, 'rubric.yaml'), stringify(rubric));
  const options = ['--rubric', join(root, 'rubric.yaml'), '--timeout', '120', '--jobs', '1'];
  // The shards (as the pods would run them) and the unsharded run, at the same time. All from the
  // project folder, with absolute paths (as in a pod), so that the reports' paths agree.
  [whole, ...shards] = await Promise.all([
    run(TSX, [CLI, join(root, 'class'), '--out', join(root, 'whole'), '--format', 'json', ...options], {}, PROJECT),
    ...Array.from({ length: SHARDS }, (_, index) =>
      run('sh', [join(PROJECT, 'deploy', 'k8s', 'grade-shard.sh'), ...options], {
        JOB_COMPLETION_INDEX: String(index),
        SHARDS: String(SHARDS),
        SUBMISSIONS: join(root, 'class'),
        REPORTS: 'reports',
      }),
    ),
  ]);
}, 300_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

test('every shard and the unsharded run grade successfully', () => {
  for (const result of [whole, ...shards]) {
    expect(result.stderr).not.toMatch(/^error:|grader crashed/m);
    expect(result.status).toBe(0);
  }
  shards.forEach((result, index) =>
    expect(result.stdout).toContain(
      `grade-shard: shard ${index + 1}/${SHARDS} of ${join(root, 'class')} -> ${join(root, 'reports', `shard-${index + 1}`)}`,
    ),
  );
});

test('pod i grades shard i+1 of N; the shards are disjoint and hold every submission exactly once', () => {
  const ids = shards.map((_, index) => {
    const report = read(`reports/shard-${index + 1}`);
    expect(report.shard).toEqual({ index: index + 1, count: SHARDS, totalSubmissions: SAMPLES.length });
    return report.submissions.map((s) => s.id);
  });
  const sorted = [...SAMPLES].sort();
  // --shard I/N: every N-th id in sorted order, starting with the I-th.
  expect(ids).toEqual([0, 1, 2].map((i) => sorted.filter((_, position) => position % SHARDS === i)));
  expect(ids.flat().sort()).toEqual(sorted);
});

test('the merged shards equal the unsharded run: same verdicts, points, messages and order', async () => {
  const merged = await grader([
    'merge',
    'reports/shard-3',
    'reports/shard-1',
    'reports/shard-2',
    '--out',
    'merged',
    '--format',
    'json,md,csv',
  ]);
  expect(merged.stderr).toBe('');
  expect(merged.status).toBe(0);
  const one = read('whole');
  const combined = read('merged');
  expect(combined.submissions.map((s) => s.id)).toEqual([...SAMPLES].sort());
  expect(withoutTiming(combined)).toEqual(withoutTiming(one));
  // The verdicts are not trivially equal: the batch has passes, failures, errors and an ungradable submission.
  const statuses = new Set(one.submissions.flatMap((s) => s.checks.map((c) => c.status)));
  expect([...statuses].sort()).toEqual(expect.arrayContaining(['error', 'failed', 'passed', 'skipped']));
  expect(one.submissions.find((s) => s.id === 'broken-syntax-error')!.status).toBe('error');
  expect(
    readFileSync(join(root, 'merged', 'gradebook.csv'), 'utf8')
      .trim()
      .split('\n'),
  ).toHaveLength(SAMPLES.length + 1);
}, 120_000);

test('a missing shard is an error, not a smaller class', async () => {
  const result = await grader(['merge', 'reports/shard-1', 'reports/shard-3', '--out', 'missing']);
  expect(result.status).toBe(2);
  expect(result.stderr).toBe('error: shard 2/3 is missing (given: 1/3 (reports/shard-1), 3/3 (reports/shard-3))\n');
  expect(existsSync(join(root, 'missing'))).toBe(false);
}, 120_000);

test('a shard given twice (e.g. a retried pod copied back twice) is an error, not a doubled student', async () => {
  cpSync(join(root, 'reports', 'shard-2'), join(root, 'reports', 'shard-2-retry'), { recursive: true });
  const result = await grader([
    'merge',
    'reports/shard-1',
    'reports/shard-2',
    'reports/shard-2-retry',
    'reports/shard-3',
    '--out',
    'twice',
  ]);
  expect(result.status).toBe(2);
  expect(result.stderr).toBe('error: shard 2/3 is given twice: reports/shard-2 and reports/shard-2-retry\n');
  expect(existsSync(join(root, 'twice'))).toBe(false);
}, 120_000);

test('a shard of another split is an error', async () => {
  alteredShard('other', (other) => (other.shard = { index: 2, count: 2, totalSubmissions: SAMPLES.length }));
  const result = await grader(['merge', 'reports/shard-1', 'other', 'reports/shard-3', '--out', 'foreign']);
  expect(result.status).toBe(2);
  expect(result.stderr).toBe(
    'error: other is shard 2/2, but reports/shard-1 is shard 1/3: all shards must come from one --shard I/3 split\n',
  );
}, 120_000);

test('report.json records the convergence setting; shards graded with different settings do not merge', async () => {
  // The rubric has no `convergence:`, so every run used the notebook's setting.
  for (const dir of ['whole', 'reports/shard-1'])
    expect(read(dir).convergence).toEqual({ steps: 500, threshold: 0.075 });
  alteredShard('faster', (faster) => (faster.convergence = { steps: 300, threshold: 0.14 }));
  const result = await grader(['merge', 'reports/shard-1', 'faster', 'reports/shard-3', '--out', 'mixed']);
  expect(result.status).toBe(2);
  expect(result.stderr).toBe(
    'error: faster was graded with the convergence setting 300 steps, threshold 0.14, but reports/shard-1 with 500 steps, threshold 0.075; regrade with the same --rubric (its convergence: setting)\n',
  );
  expect(existsSync(join(root, 'mixed'))).toBe(false);
}, 120_000);

test('grade-shard.sh refuses an index outside the Job', async () => {
  const result = await run('sh', [join(PROJECT, 'deploy', 'k8s', 'grade-shard.sh')], {
    JOB_COMPLETION_INDEX: '3',
    SHARDS: '3',
  });
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('JOB_COMPLETION_INDEX 3 is outside 0..2');
});

// --- the deployment files ---------------------------------------------------------------------------

describe('deployment files', () => {
  test('the GitHub workflow: a dispatch with inputs, a matrix of shards and a merge job', () => {
    const workflow = parse(readFileSync(join(PROJECT, '.github', 'workflows', 'grade-sharded.yml'), 'utf8'));
    const inputs = workflow.on.workflow_dispatch.inputs;
    expect(Object.keys(inputs)).toEqual(expect.arrayContaining(['submissions', 'shards']));
    expect(inputs.shards.default).toBe('4');
    const jobs = workflow.jobs;
    const shard = jobs.grade;
    expect(shard.needs).toBe('plan');
    expect(shard.strategy['fail-fast']).toBe(false);
    expect(shard.strategy.matrix.shard).toBe('${{ fromJSON(needs.plan.outputs.shards) }}');
    const gradeStep = shard.steps.find((step: { run?: string }) => step.run?.includes('npm run grade --'));
    // N as validated by the plan job (a whole number from 1 to 256), not the raw input.
    expect(gradeStep.run).toContain('--shard "${{ matrix.shard }}/${{ needs.plan.outputs.count }}"');
    expect(
      shard.steps.some(
        (step: { uses?: string; with?: { name?: string } }) =>
          step.uses === 'actions/upload-artifact@v4' && step.with?.name === 'shard-${{ matrix.shard }}',
      ),
    ).toBe(true);
    const merge = jobs.merge;
    expect(merge.needs).toEqual(['plan', 'grade']);
    const steps = merge.steps as Array<{ uses?: string; run?: string; with?: Record<string, unknown> }>;
    expect(steps.some((step) => step.uses === 'actions/download-artifact@v4' && step.with?.pattern === 'shard-*')).toBe(
      true,
    );
    expect(steps.some((step) => step.run?.includes('npm run grade -- merge'))).toBe(true);
    expect(steps.some((step) => step.run?.includes('GITHUB_STEP_SUMMARY'))).toBe(true);
    expect(steps.some((step) => step.uses === 'actions/upload-artifact@v4')).toBe(true);
    // Every action pinned to a major version.
    const uses = Object.values(jobs).flatMap((job) =>
      ((job as { steps: Array<{ uses?: string }> }).steps ?? []).map((step) => step.uses).filter(Boolean),
    ) as string[];
    for (const action of uses) expect(action).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
  });

  test('the Kubernetes Job: Indexed, N completions, the shard script, a shared volume', () => {
    const documents = parseAllDocuments(readFileSync(join(PROJECT, 'deploy', 'k8s', 'grade-job.yaml'), 'utf8')).map(
      (document) => document.toJS(),
    );
    const job = documents.find((document) => document.kind === 'Job' && document.metadata.name === 'grade-shards');
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.spec.completionMode).toBe('Indexed');
    const completions = job.spec.completions as number;
    expect(completions).toBeGreaterThan(1);
    expect(job.spec.parallelism).toBeLessThanOrEqual(completions);
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    const [container] = pod.containers;
    expect(container.command).toEqual(['sh', 'deploy/k8s/grade-shard.sh']);
    const env: Record<string, string> = Object.fromEntries(
      (container.env as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]),
    );
    // SHARDS must equal completions, or a pod would grade the wrong slice.
    expect(env.SHARDS).toBe(String(completions));
    const volumes = pod.volumes as Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
    const claim = volumes.find((volume) => volume.persistentVolumeClaim)!;
    const pvc = documents.find((document) => document.kind === 'PersistentVolumeClaim');
    expect(claim.persistentVolumeClaim!.claimName).toBe(pvc.metadata.name);
    expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);
    const mounts = container.volumeMounts as Array<{ name: string; mountPath: string }>;
    expect(mounts.map((mount) => mount.mountPath)).toEqual(expect.arrayContaining([env.SUBMISSIONS, env.REPORTS]));
    // Exit codes 2 (usage) and 3 (checks could not run) fail the Job at once: retrying cannot help.
    expect(job.spec.podFailurePolicy.rules[0]).toEqual({
      action: 'FailJob',
      onExitCodes: { containerName: 'grader', operator: 'In', values: [2, 3] },
    });
    // The merge Job runs the grader's merge over every shard folder.
    const merge = documents.find((document) => document.kind === 'Job' && document.metadata.name === 'grade-merge');
    expect(merge.spec.template.spec.containers[0].command.join(' ')).toContain('dist/grader.js merge');
  });

  test('the Dockerfile: node 20, bubblewrap, npm ci', () => {
    const dockerfile = readFileSync(join(PROJECT, 'deploy', 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toContain('bubblewrap');
    expect(dockerfile).toMatch(/npm ci/);
  });
});
