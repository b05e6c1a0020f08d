/**
 * GitHub Classroom runner results, the input of classroom-resources/autograding-grading-reporter,
 * shared by the two producers: the grader's `classroom` report (grader/reports/classroom.ts) and
 * the handout's converter of a public-checks run (./convert.ts).
 *
 * The reporter reads one base64 result per runner from `<RUNNER>_RESULTS` (runner names from its
 * `runners` input), each in the format of autograding-command-grader: `{ version: 1, status,
 * max_score, tests: [{ name, status, score, message, test_code, filename, line_no, duration }] }`.
 * Its table shows a runner as passed tests ÷ tests × max_score and its grade notice sums the tests'
 * scores, so each check is a runner of its own with max_score = its points. It prints names and
 * messages raw into the job log: here they lose control characters and escape sequences, and no
 * line of them can start a workflow command (`::…`).
 */
import { logText, plainLine } from '../plain-text';

export interface ClassroomTest {
  name: string;
  status: 'pass' | 'fail' | 'error';
  score: number;
  message: string;
  test_code: string;
  filename: string;
  line_no: number;
  duration: number;
}

export interface ClassroomResult {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: ClassroomTest[];
}

/** The reporter accepts runner names of letters and digits only (and reads `<NAME>_RESULTS`). */
export const RUNNER_NAME = /^[A-Za-z0-9]+$/;

/** `grad.b.value` → `gradBValue`; a number is appended where two ids would give the same name. */
export function runnerNames(ids: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const id of ids) {
    const words = id.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
    let base = words.map((word, i) => (i === 0 ? word : word[0].toUpperCase() + word.slice(1))).join('') || 'item';
    if (/^[0-9]/.test(base)) base = `item${base}`;
    let name = base;
    // Environment variable names are matched case-insensitively here: compare in upper case.
    for (let n = 2; taken.has(name.toUpperCase()); n++) name = `${base}${n}`;
    taken.add(name.toUpperCase());
    names.set(id, name);
  }
  return names;
}

/** Longest message kept: a runner result travels as an environment variable. */
const MAX_MESSAGE = 4000;

/** One test of a runner result, its name and message made inert for the job log. */
export function classroomTest(
  name: string,
  status: ClassroomTest['status'],
  score: number,
  message: string,
  duration = 0,
): ClassroomTest {
  const text = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
  return {
    name: plainLine(name),
    status,
    score,
    message: logText(text),
    test_code: '',
    filename: '',
    line_no: 0,
    duration,
  };
}
