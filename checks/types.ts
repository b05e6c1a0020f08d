/**
 * What a check is and what it says. One catalogue of these definitions serves every front end
 * (a student's jest run, CI, the TA's batch grader), so they all give the same verdicts.
 */
import type { Matrix } from 'rnn-lab';
import type { SubmissionRunner } from './runner';
import type { Argument } from './protocol/requests';
import type { ConvergenceSetting } from './catalogue/convergence-settings';

export type Verdict = 'passed' | 'failed' | 'error' | 'timeout' | 'memory';

/** How to reproduce a property check's failure exactly (fast-check's seed and shrink path). */
export interface Replay {
  seed: number;
  path: string;
}

export interface CheckOutcome {
  status: Verdict;
  /** For the student: what is wrong and where, kindly and specifically. Empty when passed. */
  message: string;
  /** The known mistake the output matches, when one does. */
  diagnosis?: string;
  replay?: Replay;
  /** A series worth showing as a chart, e.g. the training losses of train.converges. */
  curve?: number[];
  /** The parameters a training check ended with (u, w, v, b, c), for evaluating on the test split. */
  trainedParams?: { u: number[][]; w: number[][]; v: number[]; b: number[]; c: number };
}

export interface CheckContext {
  /** Calls into the submission, with this check's time limit applied. */
  runner: SubmissionRunner;
  /** This check's seed (derived from the battery seed and the check id). */
  seed: number;
  /** Cases per property check. */
  numRuns: number;
  /** Replays one counterexample instead of searching, when given. */
  replay?: Replay;
  /**
   * The standardized training split of the real data, for checks that need it; it is sent to
   * the executor once and passed to submission code as `argument` (a fresh copy per call).
   */
  trainData(): Promise<{ matrix: Matrix; argument: Argument }>;
  /** train.converges' steps and pass mark when a rubric chooses them (else the notebook's 500 and 0.075). */
  convergence?: ConvergenceSetting;
}

export interface CheckDefinition {
  /** Stable id used by rubrics and reports, e.g. `grad.b.value`. */
  id: string;
  /** The contract export it judges, e.g. `RNN.computeGradB`. */
  target: string;
  /** One line for people. */
  title: string;
  /** Default points (a rubric may override them). */
  points: number;
  /** Public checks ship in the student handout; hidden ones only run in the grader. */
  visibility: 'public' | 'hidden';
  /** Wall-clock budget for the whole check, in milliseconds. */
  timeoutMs: number;
  /** Needs the real training data. */
  usesData?: boolean;
  /**
   * Runs in a new process of the submission (Executor.renew): the training check, whose speed
   * the earlier checks' calls would otherwise change (up to ×1.7 slower, docs/scaling.md).
   */
  freshProcess?: boolean;
  run(context: CheckContext): Promise<CheckOutcome>;
}

export interface CheckResult extends CheckOutcome {
  id: string;
  target: string;
  title: string;
  visibility: 'public' | 'hidden';
  seed: number;
  durationMs: number;
}
