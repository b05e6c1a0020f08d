/**
 * Every GitHub workflow of the project (.github/workflows/) and of the handout (the files under
 * handout/template/.github/workflows/, and every workflow the handout generator writes, with and
 * without --classroom), whatever files are there, is valid for GitHub: checked with action-validator (@action-validator/cli, which reads GitHub's workflow schema; it runs
 * offline from its WebAssembly build). A deliberately broken workflow shows the validator refuses.
 *
 * Then what the course-side grading depends on (.github/workflows/grade-course.yml): its triggers
 * and inputs, collect → grade (grade-sharded.yml, called) → post, and that no secret reaches a job
 * that runs student code, nor any handout workflow.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { handoutFiles } from '../../handout/files';
import { buildPublicProbes } from '../../handout/fixtures';
import type { WorkflowStep } from '../helpers/workflow-step';

const PROJECT = join(__dirname, '..', '..');
const VALIDATOR = join(PROJECT, 'node_modules', '@action-validator', 'cli', 'cli.mjs');
const PROJECT_WORKFLOWS = join(PROJECT, '.github', 'workflows');
const HANDOUT_WORKFLOWS = join(PROJECT, 'handout', 'template', '.github', 'workflows');
/** One validator run starts node and a WebAssembly module: well under a second, unless the machine is busy. */
const VALIDATE_TIMEOUT_MS = 60_000;

const workflowFiles = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => /\.ya?ml$/.test(name))
        .sort()
        .map((name) => join(dir, name))
    : [];
const projectWorkflows = workflowFiles(PROJECT_WORKFLOWS);
const handoutWorkflows = workflowFiles(HANDOUT_WORKFLOWS);
const relative = (file: string) => file.slice(PROJECT.length + 1);

/**
 * The workflows a generated handout holds (the classroom one is generated from the check list),
 * written out to be validated as files. The fixtures' training split is data, which no workflow reads.
 */
const GENERATED = mkdtempSync(join(tmpdir(), 'workflows-generated-'));
afterAll(() => rmSync(GENERATED, { recursive: true, force: true }));
const fixtures = { ...buildPublicProbes(), trainSplit: { rows: 0, means: [], stds: [] } };
const generatedWorkflows = [false, true].flatMap((classroom) =>
  [...handoutFiles(fixtures, { classroom })]
    .filter(([name]) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(name))
    .map(([name, text]) => {
      const file = join(GENERATED, classroom ? 'classroom' : 'default', name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    }),
);
const generatedName = (file: string) => `generated handout: ${file.slice(GENERATED.length + 1)}`;

interface Validation {
  code: number | null;
  output: string;
}

function validate(file: string): Promise<Validation> {
  return new Promise((resolve, reject) => {
    // NO_COLOR/FORCE_COLOR: plain output whatever the terminal.
    const child = spawn(process.execPath, [VALIDATOR, file], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'workflows-test-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('every workflow passes the workflow validator (GitHub’s schema)', () => {
  test('the project and the handout have workflows to check', () => {
    expect(projectWorkflows.map(relative)).toEqual(
      expect.arrayContaining([
        '.github/workflows/test.yml',
        '.github/workflows/grade-sharded.yml',
        '.github/workflows/grade-course.yml',
      ]),
    );
    expect(handoutWorkflows.length).toBeGreaterThan(0);
    expect(generatedWorkflows.map(generatedName)).toEqual([
      'generated handout: default/.github/workflows/grade.yml',
      'generated handout: classroom/.github/workflows/classroom.yml',
    ]);
  });

  test.each([
    ...[...projectWorkflows, ...handoutWorkflows].map((file) => [relative(file), file]),
    ...generatedWorkflows.map((file) => [generatedName(file), file]),
  ])(
    '%s',
    async (_name, file) => {
      const result = await validate(file);
      expect({ code: result.code, output: result.output }).toEqual({ code: 0, output: '' });
    },
    VALIDATE_TIMEOUT_MS,
  );

  test(
    'the validator does refuse a broken workflow (an unknown key, an unknown trigger) and accepts the vars context',
    async () => {
      const broken = join(scratch, 'broken.yml');
      writeFileSync(
        broken,
        'name: x\non:\n  pushh:\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz:\n      - run: echo hi\n',
      );
      const refused = await validate(broken);
      expect(refused.code).toBe(1);
      expect(refused.output).toContain("Additional property 'pushh' is not allowed");
      expect(refused.output).toContain("Additional property 'stepz' is not allowed");
      const fine = join(scratch, 'fine.yml');
      writeFileSync(
        fine,
        'name: x\non: [push]\njobs:\n  a:\n    if: vars.X != \'\'\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "$X"\n        env:\n          X: ${{ vars.X }}\n',
      );
      expect(await validate(fine)).toEqual({ code: 0, output: '' });
    },
    VALIDATE_TIMEOUT_MS,
  );
});

// --- what course-side grading relies on ------------------------------------------------------------------

interface Job {
  needs?: string | string[];
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: unknown;
  permissions?: Record<string, string>;
  steps?: WorkflowStep[];
}
interface Workflow {
  on: Record<
    string,
    {
      inputs?: Record<string, { type?: string; options?: string[]; required?: boolean; default?: unknown }>;
      types?: string[];
    } | null
  > & { schedule?: Array<{ cron: string }> };
  env?: Record<string, string>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const load = (file: string) => ({
  text: readFileSync(file, 'utf8'),
  doc: parse(readFileSync(file, 'utf8')) as Workflow,
});
const course = load(join(PROJECT_WORKFLOWS, 'grade-course.yml'));
const sharded = load(join(PROJECT_WORKFLOWS, 'grade-sharded.yml'));

describe('grade-course.yml: course-side grading from the private grader repository', () => {
  test('runs on a schedule, by hand (prefix, deadline, mode commits|pull-requests) and by repository_dispatch', () => {
    const on = course.doc.on;
    expect(on.schedule?.[0]?.cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    const inputs = on.workflow_dispatch?.inputs ?? {};
    expect(Object.keys(inputs)).toEqual(expect.arrayContaining(['prefix', 'deadline', 'mode']));
    expect(inputs.mode).toMatchObject({ type: 'choice', options: ['commits', 'pull-requests'], default: 'commits' });
    expect(on.repository_dispatch?.types).toEqual(['grade-course']);
  });

  test('collect, then grade with grade-sharded.yml (the existing matrix and merge), then post', () => {
    const { jobs } = course.doc;
    expect(Object.keys(jobs)).toEqual(['collect', 'grade', 'post']);
    expect(jobs.grade.uses).toBe('./.github/workflows/grade-sharded.yml');
    expect(jobs.grade.needs).toBe('collect');
    expect(jobs.post.needs).toEqual(['collect', 'grade']);
    const collect = jobs.collect.steps!.find((step) => step.run?.includes('grader/ci/course.ts collect'));
    const post = jobs.post.steps!.find((step) => step.run?.includes('grader/ci/course.ts'));
    expect(collect?.run).toContain('--deadline "$DEADLINE"');
    expect(post?.run).toContain('args=(post --report grade-report/report.json --targets targets/targets.json)');
    expect(existsSync(join(PROJECT, 'grader', 'ci', 'course.ts'))).toBe(true);
    // The artifact collect uploads is the one grade-sharded downloads from this run.
    const upload = jobs.collect.steps!.find(
      (step) => step.uses?.startsWith('actions/upload-artifact') && step.with?.path === 'class/',
    );
    expect(upload?.with?.name).toBe(jobs.grade.with?.submissions);
    expect(jobs.grade.with?.['artifact-run-id']).toBe("${{ format('{0}', github.run_id) }}");
  });

  test('grade-sharded.yml can be called with the inputs grade-course.yml gives, and fetches an artifact of the same run', () => {
    const call = sharded.doc.on.workflow_call?.inputs ?? {};
    const dispatch = sharded.doc.on.workflow_dispatch?.inputs ?? {};
    expect(Object.keys(call).sort()).toEqual(Object.keys(dispatch).sort());
    for (const [name, input] of Object.entries(call)) {
      expect(input.type).toBe('string');
      if (input.required) expect(course.doc.jobs.grade.with).toHaveProperty(name);
    }
    for (const name of Object.keys(course.doc.jobs.grade.with ?? {})) expect(call).toHaveProperty(name);
    const steps = sharded.doc.jobs.grade.steps!;
    const sameRun = steps.find(
      (step) =>
        step.uses?.startsWith('actions/download-artifact') && step.if?.includes("== format('{0}', github.run_id)"),
    );
    expect(sameRun?.with).toEqual({ name: '${{ inputs.submissions }}', path: 'class' });
  });

  test('no secret reaches a job that runs student code: only collect and post hold the course token', () => {
    const secretsIn = (value: unknown) => JSON.stringify(value ?? null).match(/secrets\.[A-Z_]+/g) ?? [];
    expect(secretsIn(course.doc.jobs.grade)).toEqual([]);
    expect(course.doc.jobs.grade.secrets).toBeUndefined();
    expect(secretsIn(course.doc.env)).toEqual([]);
    // The called workflow (where the sandbox runs submissions) reads no secret at all, and its
    // grading job leaves no token in the checkout.
    expect(secretsIn(sharded.doc)).toEqual([]);
    const checkout = sharded.doc.jobs.grade.steps!.find((step) => step.uses?.startsWith('actions/checkout'));
    expect(checkout?.with?.['persist-credentials']).toBe(false);
    expect(new Set([...secretsIn(course.doc.jobs.collect), ...secretsIn(course.doc.jobs.post)])).toEqual(
      new Set(['secrets.GRADER_APP_PRIVATE_KEY', 'secrets.COURSE_TOKEN']),
    );
  });

  test('the token comes from the course App when there is one (a fresh one for posting), else the fine-grained token', () => {
    for (const job of ['collect', 'post']) {
      const steps = course.doc.jobs[job].steps!;
      const app = steps.find((step) => step.uses?.startsWith('actions/create-github-app-token'));
      expect(app).toMatchObject({
        id: 'app',
        if: "vars.GRADER_APP_ID != ''",
        with: { 'app-id': '${{ vars.GRADER_APP_ID }}', 'private-key': '${{ secrets.GRADER_APP_PRIVATE_KEY }}' },
      });
      const uses = steps.find((step) => step.run?.includes('grader/ci/course.ts'));
      expect(uses?.env?.GRADER_GITHUB_TOKEN).toBe('${{ steps.app.outputs.token || secrets.COURSE_TOKEN }}');
      expect(steps.indexOf(app!)).toBeLessThan(steps.indexOf(uses!));
    }
  });

  test('values from a trigger (inputs, dispatch payload) reach scripts only through env, never pasted into them', () => {
    for (const [name, workflow] of [
      ['grade-course.yml', course],
      ['grade-sharded.yml', sharded],
    ] as const) {
      for (const job of Object.values(workflow.doc.jobs)) {
        for (const step of job.steps ?? []) {
          expect({ workflow: name, run: step.run ?? '' }).not.toEqual({
            workflow: name,
            run: expect.stringMatching(/\$\{\{[^}]*(inputs\.|github\.event\.)/),
          });
        }
      }
    }
  });
});

describe('the handout workflows (what runs in a student repository)', () => {
  test('never name the course token, the App key or the grading token', () => {
    for (const file of [...handoutWorkflows, ...generatedWorkflows]) {
      const text = readFileSync(file, 'utf8');
      expect({
        file,
        found:
          text.match(/COURSE_TOKEN|GRADER_APP_PRIVATE_KEY|GRADER_GITHUB_TOKEN|GRADER_APP_ID|GRADER_TOKEN|secrets\./g) ??
          [],
      }).toEqual({ file, found: [] });
    }
  });
});
