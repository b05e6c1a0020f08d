/**
 * The student's workflow (handout/template/.github/workflows/grade.yml): the public checks only,
 * as `npm test` runs them, with no secret and nothing a fork's pull request would lack.
 */
import { readFileSync } from 'fs';
import path from 'path';
import { parse } from 'yaml';
import type { WorkflowStep } from '../helpers/workflow-step';

const FILE = path.join(__dirname, '..', '..', 'handout', 'template', '.github', 'workflows', 'grade.yml');
const text = readFileSync(FILE, 'utf8');
const doc = parse(text) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { steps: WorkflowStep[] }>;
};
const steps = Object.values(doc.jobs)[0].steps;

describe("the handout's workflow", () => {
  it('runs on push and pull_request, with read-only permissions and one job', () => {
    expect(Object.keys(doc.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
    expect(Object.keys(doc.on)).not.toContain('pull_request_target'); // that one runs with the base repository's secrets
    expect(doc.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(doc.jobs)).toHaveLength(1);
  });

  it('needs no secret and no setting, and never fetches the grader', () => {
    expect(text).not.toMatch(/secrets\.|vars\.|GRADER_|token:/);
    expect(steps.filter((step) => step.uses?.startsWith('actions/checkout@'))).toHaveLength(1);
    expect(steps.find((step) => step.uses?.startsWith('actions/checkout@'))?.with).toMatchObject({
      'persist-credentials': false,
    });
    for (const step of steps.filter((s) => s.uses)) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
  });

  it("installs the handout's own packages and runs its npm test with the GitHub outputs", () => {
    const install = steps.findIndex((step) => step.run?.trim() === 'npm ci --no-audit --no-fund');
    const check = steps.findIndex((step) => step.run?.trim().startsWith('npm test -- --github'));
    expect(install).toBeGreaterThan(-1);
    expect(check).toBeGreaterThan(install);
    expect(steps.find((step) => step.uses?.startsWith('actions/cache@'))?.with).toMatchObject({
      path: '~/.cache/rnn-lab',
    });
  });
});
