/**
 * The handout's GitHub Classroom workflow (`npm run assign -- --classroom`): the public checks
 * only, one runner per public check, fed to a faithful copy of the reporter's arithmetic
 * (tests/helpers/classroom-reporter.ts). Its table and the grade it records must both equal the
 * public checks' total, its log must hold no line a runner would execute (`::…`) but its own two
 * notices, and every check that did not run must say why. First on runs built here (hostile
 * messages, every way a run can go missing), then on real `npm test` runs in a generated handout,
 * through the workflow's own steps.
 */
import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parse } from 'yaml';
import { classroomResults, githubOutput, readRunFile } from '../../checks/classroom/convert';
import type { PublicCheck, RunFile } from '../../checks/classroom/convert';
import { runnerNames } from '../../checks/classroom/results';
import { publicCatalogue } from '../../checks/public';
import type { Fixtures } from '../../checks/public';
import type { ReportedResult, RunReport } from '../../checks/student/report';
import { totalsOf } from '../../checks/student/report';
import { assign } from '../../handout/assign';
import { CLASSROOM_WORKFLOW } from '../../handout/classroom-workflow';
import { COPIED_FILES, FEEDBACK_WORKFLOW, handoutFiles } from '../../handout/files';
import { buildPublicProbes } from '../../handout/fixtures';
import { runReporter } from '../helpers/classroom-reporter';
import type { ReporterRun } from '../helpers/classroom-reporter';
import { HOSTILE } from '../helpers/hostile-report';
import { runReport } from '../helpers/run-report';
import type { WorkflowStep } from '../helpers/workflow-step';

const ROOT = path.join(__dirname, '..', '..');
const DATA = process.env.RNN_LAB_DATA ? path.resolve(process.env.RNN_LAB_DATA) : undefined;
const withData = DATA ? describe : describe.skip;

interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { if?: string; steps: WorkflowStep[] }>;
}

const fixtures: Fixtures = { ...buildPublicProbes(), trainSplit: { rows: 0, means: [], stds: [] } };
const CHECKS: PublicCheck[] = publicCatalogue(fixtures).map(({ id, title, points }) => ({ id, title, points }));
const classroomFiles = handoutFiles(fixtures, { classroom: true });
const workflowText = classroomFiles.get(CLASSROOM_WORKFLOW)!;
const workflow = parse(workflowText) as Workflow;
const steps = workflow.jobs['run-autograding-tests']?.steps ?? [];
const REPORTER = 'classroom-resources/autograding-grading-reporter@';
const reporterStep = steps.find((step) => step.uses?.startsWith(REPORTER))!;
const resultsStep = steps.find((step) => step.run?.includes('checks/classroom/main.ts'))!;
const checksStep = steps.find((step) => step.run?.startsWith('npm test'))!;
const cents = (points: number) => Math.round(points * 100);

/** `name=value` lines of a $GITHUB_OUTPUT file. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const line of text.split('\n').filter(Boolean)) {
    const at = line.indexOf('=');
    outputs[line.slice(0, at)] = line.slice(at + 1);
  }
  return outputs;
}

/** The reporter step as the runner runs it: its env resolved from the results step's outputs. */
function reportFromOutputs(outputs: Record<string, string>): ReporterRun {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(reporterStep.env ?? {})) {
    const match = /^\$\{\{ steps\.([\w-]+)\.outputs\.(\w+) \}\}$/.exec(value);
    if (!match || match[1] !== resultsStep.id) throw new Error(`${name}: not an output of the results step: ${value}`);
    env[name] = outputs[match[2]] ?? '';
  }
  return runReporter(String(reporterStep.with?.runners), env);
}

const report = (file: RunFile) => reportFromOutputs(parseOutputs(githubOutput(classroomResults(CHECKS, file))));

/** The only log lines a runner would act on are the reporter's own two notices; no control characters. */
function expectInertLog(log: string[]): void {
  expect(log.filter((line) => /^\s*(::|##\[|##vso\[)/.test(line))).toEqual([
    expect.stringMatching(/^::notice title=Autograding complete::Points /),
    expect.stringMatching(/^::notice title=Autograding report::\{"totalPoints":[\d.]+,"maxPoints":[\d.]+\}$/),
  ]);
  expect(log.filter((line) => /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u001b]/.test(line))).toEqual([]);
}

function expectTotals(run: ReporterRun, earned: number, max: number): void {
  expect(cents(run.tableTotal.score)).toBe(cents(earned));
  expect(cents(run.tableTotal.maxScore)).toBe(cents(max));
  expect(run.notice && { total: cents(run.notice.totalPoints), max: cents(run.notice.maxPoints) }).toEqual({
    total: cents(earned),
    max: cents(max),
  });
}

function result(check: PublicCheck, status: ReportedResult['status'], message = ''): ReportedResult {
  return {
    id: check.id,
    target: 'rnn.ts',
    title: check.title,
    visibility: 'public',
    seed: 1,
    durationMs: 3,
    status,
    message,
    points: check.points,
  };
}

function runOf(results: ReportedResult[], extra: Partial<RunReport> = {}): RunFile {
  return { run: runReport(results, extra) };
}

const MAX = CHECKS.reduce((sum, check) => sum + check.points, 0);
const HOSTILE_MESSAGE = Object.values(HOSTILE).join('\n');

describe('the workflow generated for a GitHub Classroom handout', () => {
  it('replaces grade.yml, and only with --classroom', () => {
    expect(classroomFiles.has(FEEDBACK_WORKFLOW)).toBe(false);
    const plain = handoutFiles(fixtures);
    expect(plain.has(CLASSROOM_WORKFLOW)).toBe(false);
    expect(plain.has(FEEDBACK_WORKFLOW)).toBe(true);
  });

  it('is the one job GitHub Classroom looks for, on push, read-only, with no secret, token or setting', () => {
    expect(workflow.name).toBe('Autograding Tests');
    expect(Object.keys(workflow.jobs)).toEqual(['run-autograding-tests']);
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['push', 'repository_dispatch']));
    expect(Object.keys(workflow.on)).not.toContain('pull_request_target');
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(workflowText).not.toMatch(/secrets\.|vars\.|GRADER_|token/i);
    const checkouts = steps.filter((step) => step.uses?.startsWith('actions/checkout@'));
    expect(checkouts).toHaveLength(1);
    expect(checkouts[0].with).toEqual({ 'persist-credentials': false });
    for (const step of steps.filter((s) => s.uses)) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
  });

  it("runs the handout's own public checks, then the converter, then the reporter, even after failing checks", () => {
    expect(checksStep.run!.trim()).toBe('npm test -- --github --json public-results.json');
    expect(resultsStep.run!.trim()).toBe('node --require tsx/cjs checks/classroom/main.ts public-results.json');
    expect(resultsStep.if).toBe('${{ !cancelled() }}');
    expect(reporterStep.if).toBe(`\${{ !cancelled() && steps.${resultsStep.id}.outcome == 'success' }}`);
    const order = [checksStep, resultsStep, reporterStep].map((step) => steps.indexOf(step));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('lists one runner per public check, in check order, each fed from its own output', () => {
    const names = [...runnerNames(CHECKS.map((check) => check.id)).values()];
    expect(CHECKS.length).toBeGreaterThan(20);
    expect(String(reporterStep.with?.runners).split(',')).toEqual(names);
    expect(reporterStep.env).toEqual(
      Object.fromEntries(
        names.map((name) => [`${name.toUpperCase()}_RESULTS`, `\${{ steps.${resultsStep.id}.outputs.${name} }}`]),
      ),
    );
    expect(classroomResults(CHECKS, { problem: 'x' }).runners).toEqual(names);
  });

  it('ships the converter and everything it runs; its packages are dependencies of the handout', () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
      // Type-only imports are erased when tsx runs the file: only what runs must ship.
      for (const [, spec] of source.matchAll(/^import (?!type )[^;]*? from '([^']+)';$/gms)) {
        if (!spec.startsWith('.')) {
          if (!/^(fs|path|crypto|os|child_process|worker_threads|node:.*)$/.test(spec)) packages.add(spec);
          continue;
        }
        const base = path.posix.join(path.posix.dirname(file), spec);
        visit(fs.existsSync(path.join(ROOT, `${base}.ts`)) ? `${base}.ts` : `${base}/index.ts`);
      }
    };
    visit('checks/classroom/main.ts');
    expect(seen.size).toBeGreaterThan(5);
    for (const file of seen) expect(COPIED_FILES).toContain(file);
    // npm ci installs both kinds in the workflow.
    const manifest = JSON.parse(classroomFiles.get('package.json')!) as Record<string, Record<string, string>>;
    const installed = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
    const packageOf = (spec: string) =>
      spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/');
    for (const spec of packages) expect(installed).toContain(packageOf(spec));
    expect(packages).toContain('strip-ansi');
  });
});

describe('the converter, read by the reporter', () => {
  it('a run with hostile messages: table and notice equal the public points, and the log stays inert', () => {
    const results = CHECKS.map((check, i) =>
      i % 3 === 0 ? result(check, 'passed') : result(check, i % 3 === 1 ? 'failed' : 'error', HOSTILE_MESSAGE),
    );
    const file = runOf(results);
    const run = report(file);
    expectTotals(run, totalsOf((file as { run: RunReport }).run).earned, MAX);
    expectInertLog(run.log);
    expect(run.failed).toBe('Some tests failed.');
    // The messages are still there to read, as text.
    const shown = run.log.join('\n');
    expect(shown).toContain(': :notice title=Autograding report::{"totalPoints":100,"maxPoints":100}');
    expect(shown).toContain(': :add-mask::secret');
  });

  it('one runner per check, each worth its points: passed checks count, failed ones do not', () => {
    const results = CHECKS.map((check) => result(check, check.id === 'grad.b.value' ? 'failed' : 'passed', 'wrong'));
    const run = report(runOf(results));
    const gradB = CHECKS.find((check) => check.id === 'grad.b.value')!;
    expectTotals(run, MAX - gradB.points, MAX);
    expect(run.table.map((row) => cents(row.score))).toEqual(
      CHECKS.map((check) => (check === gradB ? 0 : cents(check.points))),
    );
    expect(run.table.map((row) => row.maxScore)).toEqual(CHECKS.map((check) => check.points));
  });

  it('a 0-point check that fails or throws is a warning, as in npm test: shown, worth nothing, the run still passes', () => {
    const [failing, throwing] = CHECKS.filter((check) => check.points === 0);
    const results = CHECKS.map((check) =>
      result(check, check === failing ? 'failed' : check === throwing ? 'error' : 'passed', 'an extra export'),
    );
    const run = report(runOf(results));
    expectTotals(run, MAX, MAX);
    expect(run.failed).toBeUndefined();
    expect(run.log).toContain(`❌ ${failing.id}: ${failing.title} (a warning: 0 points, it costs nothing)`);
    expect(run.log).toContain('Error: an extra export');
  });

  describe('a check that did not run says why, in the log', () => {
    const errors = (file: RunFile) =>
      report(file)
        .log.filter((line) => line.startsWith('Error: '))
        .map((line) => line.slice('Error: '.length));

    it('npm test stopped before writing its results', () => {
      const run = report(readRunFile(path.join(os.tmpdir(), 'no-such-dir', 'public-results.json')));
      expectTotals(run, 0, MAX);
      expectInertLog(run.log);
      expect(run.failed).toBe('Some tests errored.');
      const messages = errors(readRunFile(path.join(os.tmpdir(), 'no-such-dir', 'public-results.json')));
      expect(messages).toHaveLength(CHECKS.length);
      for (const message of messages)
        expect(message).toMatch(/^Not run: npm test wrote no results \(.*public-results\.json is missing\)/);
    });

    it('npm test could not run the checks (its JSON holds the error), or wrote something else', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'classroom-convert-'));
      try {
        const file = path.join(dir, 'public-results.json');
        fs.writeFileSync(file, JSON.stringify({ error: `Cannot find module 'tsx'\n::add-mask::x` }));
        for (const message of errors(readRunFile(file)))
          expect(message).toBe("Not run: npm test could not run the checks: Cannot find module 'tsx'");
        expect(report(readRunFile(file)).log).toContain(': :add-mask::x');
        fs.writeFileSync(file, '{"results": 3}');
        for (const message of errors(readRunFile(file)))
          expect(message).toMatch(/^Not run: .*public-results\.json is not the JSON that npm test writes/);
        fs.writeFileSync(file, JSON.stringify({ sourceHash: 'old', results: [] }));
        for (const message of errors(readRunFile(file, 'new')))
          expect(message).toMatch(/holds the results of another version of rnn\.ts/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the data set could not be loaded (the checks that need it), or the run has no result for a check', () => {
      const needsData = new Set(['train.converges']);
      const results = CHECKS.filter((check) => check.id !== 'grad.u.value').map((check) =>
        needsData.has(check.id)
          ? { ...result(check, 'error', 'Not run: the data set is not available.'), notRun: true }
          : result(check, 'passed'),
      );
      const file = runOf(results, { dataProblem: 'Could not download the lab data (fetch failed).' });
      const run = report(file);
      const missing = ['grad.u.value', ...needsData].map((id) => CHECKS.find((check) => check.id === id)!);
      expectTotals(run, MAX - missing.reduce((sum, check) => sum + check.points, 0), MAX);
      expect(errors(file)).toEqual([
        'Not run: npm test recorded no result for this check (were the files in checks/ changed?).',
        'Not run: this check needs the data set, which could not be loaded: Could not download the lab data (fetch failed).',
      ]);
    });
  });
});

/** The correct sample with one change (the `from` text must occur once). */
function correctWith(from: string, to: string): string {
  const correct = fs.readFileSync(path.join(ROOT, 'submissions', 'correct-loops', 'rnn.ts'), 'utf8');
  if (correct.split(from).length !== 2) throw new Error(`the sample does not contain exactly one ${from}`);
  return correct.replace(from, to);
}
const GRAD_B_LOOP =
  '      for (let t = 0; t < hidden.length; t++) sum += (1 - hidden[t][i] * hidden[t][i]) * gradH[t][i];';

withData('a generated GitHub Classroom handout, through its workflow steps', () => {
  let handout: string;

  beforeAll(async () => {
    handout = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-classroom-handout-'));
    await assign({ out: handout, dataPath: DATA, lockfile: false, classroom: true });
    // The project's installed packages as the handout's node_modules (rnn-lab → the handout's lab/).
    fs.mkdirSync(path.join(handout, 'node_modules'));
    for (const name of fs.readdirSync(path.join(ROOT, 'node_modules')))
      if (name !== 'rnn-lab')
        fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(handout, 'node_modules', name));
    fs.symlinkSync('../lab', path.join(handout, 'node_modules', 'rnn-lab'));
  }, 120_000);

  afterAll(() => fs.rmSync(handout, { recursive: true, force: true }));

  /** One workflow step's `run`, in the handout as the runner runs it. */
  function runStep(step: WorkflowStep, outputFile: string) {
    return spawnSync('bash', ['-e', '-c', step.run!], {
      cwd: handout,
      encoding: 'utf8',
      env: { ...process.env, RNN_LAB_DATA: DATA, GITHUB_OUTPUT: outputFile, CI: 'true', FORCE_COLOR: '0' },
      timeout: 240_000,
    });
  }

  /** The checks step, then the results step; the reporter on its outputs; the run's own totals. */
  function gradeInWorkflow(source: string) {
    fs.writeFileSync(path.join(handout, 'rnn.ts'), source);
    fs.rmSync(path.join(handout, 'public-results.json'), { force: true });
    const outputFile = path.join(handout, 'github-output');
    fs.writeFileSync(outputFile, '');
    const checks = runStep(checksStep, outputFile);
    const converter = runStep(resultsStep, outputFile);
    expect({ status: converter.status, stderr: converter.stderr }).toEqual({ status: 0, stderr: '' });
    expect(converter.stdout).toMatch(
      /^GitHub Classroom: \d+ runners \(one per public check\), [\d.]+ \/ \d+ points\.\n$/,
    );
    const run = JSON.parse(fs.readFileSync(path.join(handout, 'public-results.json'), 'utf8')) as RunReport;
    return { checks, reported: reportFromOutputs(parseOutputs(fs.readFileSync(outputFile, 'utf8'))), run };
  }

  it('the workflow the handout holds is the one tested above, and grade.yml is not there', () => {
    expect(fs.readFileSync(path.join(handout, CLASSROOM_WORKFLOW), 'utf8')).toBe(workflowText);
    expect(fs.readdirSync(path.join(handout, '.github', 'workflows'))).toEqual(['classroom.yml']);
  });

  it('a correct sample: every public point, in the table and in the grade', () => {
    fs.cpSync(path.join(ROOT, 'submissions', 'correct-loops', 'rnn.ts'), path.join(handout, 'rnn.ts'));
    const { checks, reported, run } = gradeInWorkflow(fs.readFileSync(path.join(handout, 'rnn.ts'), 'utf8'));
    expect(checks.status).toBe(0);
    const totals = totalsOf(run);
    expect(totals).toMatchObject({ earned: MAX, max: MAX });
    expectTotals(reported, totals.earned, totals.max);
    expectInertLog(reported.log);
    expect(reported.failed).toBeUndefined();
  }, 240_000);

  it('a wrong sample: the table and the grade equal its public points, the failing check is a 0 row', () => {
    const source = fs.readFileSync(path.join(ROOT, 'submissions', 'grad-b-skip-first', 'rnn.ts'), 'utf8');
    const { checks, reported, run } = gradeInWorkflow(source);
    expect(checks.status).toBe(1);
    const totals = totalsOf(run);
    expect(totals.earned).toBeLessThan(totals.max);
    expectTotals(reported, totals.earned, totals.max);
    expectInertLog(reported.log);
    const names = runnerNames(CHECKS.map((check) => check.id));
    expect(reported.table.find((row) => row.runner === names.get('grad.b.value'))?.score).toBe(0);
    expect(reported.failed).toBe('Some tests failed.');
  }, 240_000);

  it('rnn.ts throwing workflow commands, CR/LF, ANSI and control characters: inert in the reporter log', () => {
    const thrown = String.raw`bad\r\n::notice title=Autograding report::{"totalPoints":100,"maxPoints":100}\n::add-mask::x \u001b[31mred\u001b[0m \u0007bel \u009b2J`;
    const source = correctWith(GRAD_B_LOOP, `${GRAD_B_LOOP}\n      if (i === 0) throw new Error('${thrown}');`);
    const { reported, run } = gradeInWorkflow(source);
    const totals = totalsOf(run);
    expect(totals.earned).toBeLessThan(totals.max);
    expectTotals(reported, totals.earned, totals.max);
    expectInertLog(reported.log);
    // The error reached the log, as text: it is why the checks of computeGradB failed.
    expect(reported.log.some((line) => line.includes('computeGradB threw Error: bad'))).toBe(true);
    expect(reported.log).toContain(': :notice title=Autograding report::{"totalPoints":100,"maxPoints":100}');
  }, 240_000);

  it('npm test could not run the checks: its JSON says why, and so does every runner', () => {
    // Without its fixtures npm test cannot start the checks; the converter runs after they are back.
    const fixturesFile = path.join(handout, 'checks', 'public', 'fixtures.json');
    const saved = fs.readFileSync(fixturesFile);
    const outputFile = path.join(handout, 'github-output');
    fs.writeFileSync(outputFile, '');
    fs.rmSync(fixturesFile);
    try {
      expect(runStep(checksStep, outputFile).status).toBe(2);
    } finally {
      fs.writeFileSync(fixturesFile, saved);
    }
    expect(JSON.parse(fs.readFileSync(path.join(handout, 'public-results.json'), 'utf8'))).toEqual({
      error: expect.stringContaining('fixtures.json'),
    });
    expect(runStep(resultsStep, outputFile).status).toBe(0);
    const reported = reportFromOutputs(parseOutputs(fs.readFileSync(outputFile, 'utf8')));
    expectTotals(reported, 0, MAX);
    const errors = reported.log.filter((line) => line.startsWith('Error: '));
    expect(errors).toHaveLength(CHECKS.length);
    for (const line of errors)
      expect(line).toMatch(/^Error: Not run: npm test could not run the checks: ENOENT.*fixtures\.json/);
  }, 60_000);

  it('npm test stopped before its results: every runner is there, each "not run" with the reason', () => {
    fs.rmSync(path.join(handout, 'public-results.json'), { force: true });
    const outputFile = path.join(handout, 'github-output');
    fs.writeFileSync(outputFile, '');
    expect(runStep(resultsStep, outputFile).status).toBe(0);
    const reported = reportFromOutputs(parseOutputs(fs.readFileSync(outputFile, 'utf8')));
    expectTotals(reported, 0, MAX);
    const errors = reported.log.filter((line) => line.startsWith('Error: Not run: npm test wrote no results'));
    expect(errors).toHaveLength(CHECKS.length);
  }, 60_000);
});
