/**
 * The one typed report every output format is written from (report.json is this, serialized).
 * Timing fields are the only ones allowed to differ between two gradings of the same folder.
 */
export type CheckStatus = 'passed' | 'failed' | 'error' | 'timeout' | 'memory' | 'skipped';

/**
 * Whose fault a verdict that is not a pass is. Written only when it is the grader's (absent means
 * the submission's own verdict), so that ordinary reports are unchanged. A check or row with
 * `cause: 'grader'` is not a grade: it earns 0 points that the student did not lose, and the
 * batch exits 3 (incomplete).
 */
export type FaultCause = 'submission' | 'grader';

export interface CheckReport {
  id: string;
  /** The contract export the check judges, e.g. `RNN.computeGradB`. */
  target: string;
  title: string;
  status: CheckStatus;
  points: number;
  maxPoints: number;
  /** Hidden checks' messages never reveal expected values. */
  visibility: 'public' | 'hidden';
  message: string;
  diagnosis?: string;
  /** 'grader' when the grader could not judge this check (e.g. the lab data could not be loaded). */
  cause?: FaultCause;
  replay?: { seed: number; path: string };
  /** The rubric item (a check id, a target, …) whose points this check carries. */
  item: string;
  /** Timing field: excluded from reproducibility comparisons. */
  durationMs: number;
}

export interface ManualItemReport {
  id: string;
  title: string;
  points: number;
  maxPoints: number;
  /** Whether a score was found in the --manual CSV. */
  graded: boolean;
}

export interface SubmissionReport {
  /** Stable id: the submission folder's name (or zip entry path). */
  id: string;
  path: string;
  status: 'graded' | 'error';
  /** Why status is 'error' (could not be loaded/compiled at all). */
  error?: string;
  /**
   * 'grader' when this row is not trustworthy because of the grader: the submission could not be
   * graded for a reason of the grader's (status 'error'), or some of its checks carry
   * `cause: 'grader'`. Its score is then not the student's; regrade once the cause is fixed.
   */
  cause?: FaultCause;
  score: number;
  maxScore: number;
  /** The seed this submission's battery ran with (derived from the batch seed and the id). */
  seed: number;
  checks: CheckReport[];
  manual: ManualItemReport[];
  /** Non-fatal notes: type errors, modified handout test files, no OS sandbox, … */
  warnings: string[];
  /** Timing field. */
  durationMs: number;
  /** What `train.converges` trained (absent when it produced no losses, e.g. not run or not graded). */
  training?: TrainingReport;
}

/**
 * The training run of `train.converges`, for charts: its losses as the submission returned them,
 * and its trained parameters evaluated on the test split by the grader (the REFERENCE forward pass,
 * in the grader's own process: nothing here was computed by submission code except the losses and
 * the parameters). Numbers are rounded so that report.json stays small and deterministic.
 */
export interface TrainingReport {
  /** The training losses trainRnn returned (standardized units; 5 significant digits). */
  losses: number[];
  /** RMSE in °C of the trained network on the whole test split (4 decimals). Absent when trainRnn returned no usable parameters or the test split could not be loaded. */
  testRmseCelsius?: number;
  /** [true °C, predicted °C] for at most 400 evenly spaced test windows (4 decimals); absent with testRmseCelsius. */
  testPoints?: Array<[number, number]>;
}

/** One line of the rubric as graded: a column of the gradebook. */
export interface RubricItemReport {
  /** A check id (`check:` items), a target such as `RNN.forward` (`target:` items) or a manual item id. */
  id: string;
  kind: 'check' | 'target' | 'manual';
  title: string;
  maxPoints: number;
  /** The checks whose points make up this item (empty for manual items). */
  checks: string[];
}

export interface GradeReport {
  schemaVersion: 1;
  /** The batch seed (--seed). */
  seed: number;
  /** The rubric's name/path and its total, and its items (the gradebook's columns). */
  rubric: { source: string; name: string; maxScore: number; items: RubricItemReport[] };
  /**
   * The convergence check's setting (the rubric's `convergence:`, else the notebook's 500 steps and
   * 0.075): train.converges trains for `steps` and passes below `threshold`. Absent in reports
   * written before it was recorded.
   */
  convergence?: { steps: number; threshold: number };
  /** How submission code was contained, e.g. "bubblewrap (no network, read-only submission)". */
  sandbox: string;
  /** Set when this report grades one shard of a batch (`--shard I/N`); absent after `merge`. */
  shard?: { index: number; count: number; totalSubmissions: number };
  /** Problems of the grading run itself (not of a submission), e.g. the lab data could not be loaded. */
  warnings: string[];
  /** Timing field. */
  generatedAt: string;
  submissions: SubmissionReport[];
}

/**
 * A check as a student may see it (`studentView` in grader/reports/common.ts makes it): never a
 * diagnosis (it names the mistake, which is the course's to explain), and for a hidden check a
 * generic message and no replay. `diagnosis?: never` makes a staff CheckReport unassignable here.
 */
export type StudentCheckReport = Omit<CheckReport, 'diagnosis'> & { diagnosis?: never };

export interface StudentSubmissionReport extends Omit<SubmissionReport, 'checks'> {
  checks: StudentCheckReport[];
}

/**
 * The report as students may see it: what every student-facing renderer (feedback, Gradescope,
 * Classroom, the CI summary) receives, made only by `studentReport`. The `audience` tag keeps a
 * staff GradeReport from being passed where this is expected, so hidden data cannot reach a
 * student renderer by construction.
 */
export interface StudentReport extends Omit<GradeReport, 'submissions'> {
  audience: 'student';
  submissions: StudentSubmissionReport[];
}

/** Either view, for renderers that show whatever they are given (junit.xml, the Markdown check lines). */
export type AnyCheckReport = CheckReport | StudentCheckReport;
export type AnySubmissionReport = SubmissionReport | StudentSubmissionReport;
export type AnyReport = GradeReport | StudentReport;

/** Fields that may differ between two gradings of the same folder. */
export const TIMING_FIELDS: readonly string[] = ['durationMs', 'generatedAt'];
