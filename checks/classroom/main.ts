/**
 * `node --require tsx/cjs checks/classroom/main.ts FILE`: a step of the handout's GitHub Classroom
 * workflow, after `npm test -- --github --json FILE`. Appends one runner result per public check
 * to $GITHUB_OUTPUT (`<runner>=<base64 JSON>`, read by the reporter step's env) and prints the
 * public points. A missing or broken FILE still gives every runner, each "not run" with the
 * reason. Exit 0 when the results were written (whatever they say), 1 when they could not be,
 * 2 on bad usage.
 */
import { createHash } from 'crypto';
import { appendFileSync, readFileSync } from 'fs';
import path from 'path';
import { publicCatalogue } from '../public';
import type { Fixtures } from '../public';
import { classroomResults, githubOutput, readRunFile } from './convert';

const ROOT = path.join(__dirname, '..', '..');

/** sha256 of rnn.ts as npm test records it ('' when there is none). */
function sourceHash(): string {
  try {
    return createHash('sha256')
      .update(readFileSync(path.join(ROOT, 'rnn.ts')))
      .digest('hex');
  } catch {
    return '';
  }
}

function main(argv: string[]): number {
  const output = process.env.GITHUB_OUTPUT;
  if (argv.length !== 1 || !output) {
    process.stderr.write('usage: GITHUB_OUTPUT=FILE node --require tsx/cjs checks/classroom/main.ts RESULTS.json\n');
    return 2;
  }
  try {
    const fixtures = JSON.parse(readFileSync(path.join(ROOT, 'checks', 'public', 'fixtures.json'), 'utf8')) as Fixtures;
    const checks = publicCatalogue(fixtures).map(({ id, title, points }) => ({ id, title, points }));
    const converted = classroomResults(checks, readRunFile(argv[0], sourceHash()));
    appendFileSync(output, githubOutput(converted));
    const tests = Object.values(converted.results).flatMap((result) => result.tests);
    const earned = tests.reduce((sum, test) => sum + test.score, 0);
    const max = checks.reduce((sum, check) => sum + check.points, 0);
    process.stdout.write(
      `GitHub Classroom: ${converted.runners.length} runners (one per public check), ${earned} / ${max} points.\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(
      `The GitHub Classroom results could not be written: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
