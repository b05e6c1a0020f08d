/**
 * The shape of a rubric file, as zod schemas: the single source of the field rules, their error
 * messages and the generated reference in docs/rubric.md (grader/rubric-docs.ts). What a shape
 * cannot say — that an id names a real check, target or known mistake, that a split adds up, that
 * no check is graded twice — is checked against the catalogues in grader/rubric.ts.
 *
 * Field error messages leave out the field's name: the caller prefixes "`points:` " from the path.
 */
import { z } from 'zod';
import { DEFAULT_CONVERGENCE, OFFERED_CONVERGENCE } from '../checks/catalogue/convergence-settings';

export const PARTIAL_STATUSES = ['failed', 'error', 'timeout', 'memory'] as const;
export const SPREADS = ['weighted', 'equal'] as const;
export const ITEM_KINDS = ['check', 'target', 'manual'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

const MANUAL_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** A YAML value as people wrote it, for "got …" in messages. */
export function shown(input: unknown): string {
  if (typeof input === 'number') return String(input);
  if (input !== null && typeof input === 'object') return 'a list or mapping';
  return input === undefined ? 'nothing' : JSON.stringify(input);
}

/** Points: a non-negative number with at most two decimals (kept as hundredths, so every sum is exact). */
const Points = z
  .number({
    error: (issue) =>
      issue.input === undefined
        ? 'is missing'
        : typeof issue.input === 'number'
          ? `must be a finite number, got ${issue.input}`
          : `must be a number, got ${shown(issue.input)}`,
  })
  .check((ctx) => {
    const value = ctx.value;
    const problem =
      value < 0
        ? `must not be negative, got ${value}`
        : Math.abs(Math.round(value * 100) - value * 100) > 1e-6
          ? `may have at most two decimals, got ${value}`
          : undefined;
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: value });
  });

const NonEmptyString = z
  .string({ error: 'must be a non-empty string' })
  .trim()
  .min(1, { error: 'must be a non-empty string' });

const Title = z.string({ error: 'must be a string' });
const Hidden = z.boolean({ error: 'must be true or false' });

export const PartialRuleSchema = z
  .strictObject({
    status: z
      .enum(PARTIAL_STATUSES, { error: `must be one of ${PARTIAL_STATUSES.join(', ')}` })
      .optional()
      .describe('Awards the points when the check ends with this verdict.'),
    diagnosis: NonEmptyString.optional().describe(
      "Awards the points when the check's answer matches this known mistake: an id from the diagnosis catalogue of the check's target (listed below).",
    ),
    points: Points.describe("Points awarded; at most the item's points."),
  })
  .check((ctx) => {
    if ((ctx.value.status === undefined) === (ctx.value.diagnosis === undefined)) {
      ctx.issues.push({ code: 'custom', message: 'needs exactly one of `status:` or `diagnosis:`', input: ctx.value });
    }
  })
  .describe(
    'Partial credit for a check that did not pass: exactly one of `status:` or `diagnosis:`, and `points:`. A check earns the best matching rule, or 0.',
  );

const CHECK_ITEM_FIELDS = {
  check: NonEmptyString.describe('The id of one check (listed below).'),
  points: Points.describe('Points for the check; at most two decimals.'),
  title: Title.optional().describe("The item's column title in reports (default: the check's title)."),
  hidden: Hidden.optional().describe(
    "`true` hides the check's message from students, `false` shows it (default: the check's own visibility).",
  ),
};

export const CheckItemSchema = z
  .strictObject({
    ...CHECK_ITEM_FIELDS,
    partial: z
      .array(PartialRuleSchema, { error: 'must be a list such as `[{ diagnosis: gradB.skip-first, points: 3 }]`' })
      .optional()
      .describe('Partial credit rules (see below).'),
  })
  .describe('Points for one check.');

export const TargetItemSchema = z
  .strictObject({
    target: NonEmptyString.describe(
      'A contract export (e.g. `RNN.computeGradW`): the item grades every check that judges it.',
    ),
    points: Points.optional().describe(
      "The item's points, spread over its checks. Required unless `checks:` gives the split (then it must equal the split's sum).",
    ),
    title: Title.optional().describe('Column title in reports (default: `<target> (<n> checks)`).'),
    hidden: Hidden.optional().describe('`true` / `false` overrides the visibility of every check of the item.'),
    spread: z
      .enum(SPREADS, { error: `must be "${SPREADS.join('" or "')}"` })
      .optional()
      .describe(
        "How `points:` is spread: `weighted` (default) in proportion to the checks' default points, `equal` evenly; leftover hundredths go to the earlier checks. Not with `checks:`.",
      ),
    checks: z
      .record(z.string(), Points, {
        error: 'must map check ids to points, e.g. `{ grad.w.shape: 2, grad.w.value: 7 }`',
      })
      .optional()
      .describe("An explicit split: check id → points, only the target's own checks. Checks left out are not run."),
  })
  .describe('Points for a contract export, spread over all the checks that judge it.');

export const ManualItemSchema = z
  .strictObject({
    manual: NonEmptyString.regex(MANUAL_ID, {
      error: 'may only use letters, digits, ".", "_" and "-" (it names a column of the --manual CSV)',
    }).describe('The item id: the column of the `--manual` CSV holding its scores.'),
    points: Points.describe('Maximum points; a score in the CSV must lie in 0..points.'),
    title: Title.optional().describe('Column title in reports (default: the id).'),
  })
  .describe('Points scored by hand, read from the `--manual` CSV (an empty cell: not graded yet).');

export const ITEM_SCHEMAS = { check: CheckItemSchema, target: TargetItemSchema, manual: ManualItemSchema } as const;

const offeredSteps = OFFERED_CONVERGENCE.map((setting) => setting.steps);

export const ConvergenceSchema = z
  .strictObject({
    steps: z
      .number({ error: (issue) => `must be a number, got ${shown(issue.input)}` })
      .check((ctx) => {
        if (!offeredSteps.includes(ctx.value)) {
          ctx.issues.push({
            code: 'custom',
            message: `must be one of ${offeredSteps.join(', ')} (the calibrated settings), got ${ctx.value}`,
            input: ctx.value,
          });
        }
      })
      .describe(`Training steps the check asks \`trainRnn\` for: one of ${offeredSteps.join(', ')}.`),
    threshold: z
      .number({ error: (issue) => `must be a number, got ${shown(issue.input)}` })
      .check((ctx) => {
        if (!(ctx.value > 0 && ctx.value < 1))
          ctx.issues.push({ code: 'custom', message: `must lie between 0 and 1, got ${ctx.value}`, input: ctx.value });
      })
      .optional()
      .describe(
        'Pass mark for the mean of the last 25 losses (default: the calibrated one for those steps). It may only be raised: a lower one fails correct solutions.',
      ),
  })
  .describe(
    `The convergence check (train.converges): a course may train for fewer steps to grade a batch faster. Default: ${DEFAULT_CONVERGENCE.steps} steps, threshold ${DEFAULT_CONVERGENCE.threshold} (the notebook's).`,
  );

/** The top level as validated: items are checked one by one (ITEM_SCHEMAS), so one bad item does not hide the others' problems. */
export const RubricTopLevelSchema = z.strictObject({
  name: Title.optional().describe('Shown in reports (default: the file name).'),
  items: z
    .array(z.unknown())
    .describe(
      'The items, in gradebook column order; at least one. Each has exactly one of `check:`, `target:` or `manual:`.',
    ),
  convergence: ConvergenceSchema.optional(),
});

/** The whole file, for the docs and for editors (JSON Schema via `z.toJSONSchema`). */
export const RubricFileSchema = RubricTopLevelSchema.extend({
  items: z
    .array(z.union([CheckItemSchema, TargetItemSchema, ManualItemSchema]))
    .min(1)
    .describe(RubricTopLevelSchema.shape.items.description ?? ''),
});

export type PartialRuleInput = z.output<typeof PartialRuleSchema>;
export type CheckItemInput = z.output<typeof CheckItemSchema>;
export type TargetItemInput = z.output<typeof TargetItemSchema>;
export type ManualItemInput = z.output<typeof ManualItemSchema>;
export type ConvergenceInput = z.output<typeof ConvergenceSchema>;
