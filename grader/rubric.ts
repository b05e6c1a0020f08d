/**
 * The grading rubric: a YAML file that says how many points each check, contract export or manual
 * item is worth. It is validated against the live check catalogue before anything is graded, and
 * every problem is reported with the file, the line and the item it is about.
 *
 * ```yaml
 * name: Lab 8 — RNN backpropagation
 * items:
 *   - check: loss.mse            # points for one check
 *     points: 2
 *   - check: grad.b.value
 *     points: 6
 *     partial:                   # partial credit when the check fails in a recognised way
 *       - diagnosis: skips-first-step
 *         points: 3
 *       - status: failed         # …or by verdict (failed / error / timeout / memory)
 *         points: 1
 *   - target: RNN.forward        # points for a contract export, spread over all its checks
 *     points: 9
 *     spread: weighted           # weighted (by each check's default points; the default) | equal
 *     hidden: true               # hide every check of this item from students
 *   - target: RNN.computeGradW
 *     points: 9
 *     checks: { grad.w.shape: 2, grad.w.value: 7 }   # or an explicit split
 *   - manual: exercise1          # scored by hand, from the --manual CSV (column "exercise1")
 *     title: Exercise 1 — derivation of dL/dh_t
 *     points: 10
 * ```
 *
 * Points are kept in hundredths internally (every sum is exact); a rubric may use at most two
 * decimals. Checks that no item mentions are not run.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { LineCounter, parseDocument, isMap, isScalar, isSeq } from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import type { CheckDefinition } from '../checks/types';
import type { CheckStatus, RubricItemReport } from './report-types';

export class RubricError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`The rubric ${file} is not valid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'RubricError';
  }
}

/** Partial credit for a check that did not pass. */
export interface PartialRule {
  status?: Exclude<CheckStatus, 'passed' | 'skipped'>;
  diagnosis?: string;
  cents: number;
}

/** What the rubric says about one check. */
export interface RubricCheck {
  id: string;
  /** The id of the rubric item carrying this check's points. */
  item: string;
  maxCents: number;
  visibility: 'public' | 'hidden';
  partial: PartialRule[];
}

export interface RubricItem {
  id: string;
  kind: 'check' | 'target' | 'manual';
  title: string;
  maxCents: number;
  checks: string[];
}

export interface Rubric {
  /** The file it was read from, as given (or a label). */
  source: string;
  name: string;
  /** In file order: the gradebook's columns. */
  items: RubricItem[];
  /** Every check the rubric grades, in catalogue order (the order they run in). */
  checks: RubricCheck[];
  maxCents: number;
}

export const PARTIAL_STATUSES = ['failed', 'error', 'timeout', 'memory'] as const;
const ITEM_KINDS = ['check', 'target', 'manual'] as const;
const ALLOWED_KEYS: Record<(typeof ITEM_KINDS)[number], string[]> = {
  check: ['check', 'points', 'title', 'hidden', 'partial'],
  target: ['target', 'points', 'title', 'hidden', 'spread', 'checks'],
  manual: ['manual', 'points', 'title'],
};
const MANUAL_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Reads and validates a rubric file against a check catalogue; `label` names it in messages. Throws RubricError. */
export function loadRubric(file: string, catalogue: readonly CheckDefinition[], label: string = file): Rubric {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (error as Error).message;
    throw new RubricError(label, [`${label}: cannot be read: ${reason}`]);
  }
  return parseRubric(text, label, catalogue);
}

/** Parses and validates rubric text; `file` is only used in messages. Throws RubricError. */
export function parseRubric(text: string, file: string, catalogue: readonly CheckDefinition[]): Rubric {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const problems: string[] = [];
  const at = (node: Node | null | undefined, where: string, problem: string) => {
    const offset = node?.range?.[0];
    const pos = offset === undefined ? '' : `:${lineCounter.linePos(offset).line}:${lineCounter.linePos(offset).col}`;
    problems.push(`${file}${pos}: ${where ? `${where}: ` : ''}${problem}`);
  };
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const pos = lineCounter.linePos(error.pos[0]);
      problems.push(`${file}:${pos.line}:${pos.col}: YAML syntax error: ${error.message.split('\n')[0]}`);
    }
    throw new RubricError(file, problems);
  }

  const root = doc.contents;
  if (!isMap(root)) {
    at(root, '', 'the rubric must be a mapping with an `items:` list (see grader/rubric.default.yaml)');
    throw new RubricError(file, problems);
  }
  let name = '';
  let itemsNode: Node | null = null;
  for (const pair of root.items as Pair<Node, Node>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key === 'name') {
      if (isScalar(pair.value) && typeof pair.value.value === 'string') name = pair.value.value;
      else at(pair.value, 'name', 'must be a string');
    } else if (key === 'items') {
      itemsNode = pair.value;
    } else {
      at(pair.key, '', `unknown top-level key "${key}" (allowed: name, items)`);
    }
  }
  if (!isSeq(itemsNode) || itemsNode.items.length === 0) {
    at(itemsNode ?? root, 'items', 'the rubric needs an `items:` list with at least one item');
    throw new RubricError(file, problems);
  }

  const byId = new Map(catalogue.map((check) => [check.id, check]));
  const targets = new Map<string, CheckDefinition[]>();
  for (const check of catalogue) targets.set(check.target, [...(targets.get(check.target) ?? []), check]);

  const items: RubricItem[] = [];
  const checks = new Map<string, RubricCheck>();
  /** Which item (described for people) claimed each check / item id first. */
  const checkOwner = new Map<string, string>();
  const itemOwner = new Map<string, string>();

  itemsNode.items.forEach((raw, index) => {
    const itemNode = raw as Node;
    const number = `item ${index + 1}`;
    if (!isMap(itemNode)) {
      at(itemNode, number, 'must be a mapping such as `{ check: loss.mse, points: 2 }`');
      return;
    }
    const fields = readFields(itemNode);
    const kinds = ITEM_KINDS.filter((kind) => fields.has(kind));
    if (kinds.length !== 1) {
      at(itemNode, number, kinds.length === 0 ? 'needs one of `check:`, `target:` or `manual:`' : `has both ${kinds.map((k) => `\`${k}:\``).join(' and ')}; use one per item`);
      return;
    }
    const kind = kinds[0];
    const idNode = fields.get(kind)!.value;
    if (!isScalar(idNode) || typeof idNode.value !== 'string' || idNode.value.trim() === '') {
      at(idNode ?? itemNode, number, `\`${kind}:\` must be a non-empty string`);
      return;
    }
    const id = idNode.value.trim();
    const where = `${number} (${kind}: ${id})`;
    for (const [key, pair] of fields) {
      if (!ALLOWED_KEYS[kind].includes(key)) at(pair.key, where, `unknown key "${key}" (allowed for ${kind} items: ${ALLOWED_KEYS[kind].join(', ')})`);
    }
    const title = readTitle(fields.get('title'), where);
    const hidden = readHidden(fields.get('hidden'), where);
    const previous = itemOwner.get(id);
    if (previous) {
      at(itemNode, where, `duplicate item: ${previous} already uses the id "${id}"`);
      return;
    }
    itemOwner.set(id, where);

    if (kind === 'manual') {
      if (!MANUAL_ID.test(id)) at(idNode, where, 'a manual item id may only use letters, digits, ".", "_" and "-" (it names a column of the --manual CSV)');
      const cents = readPoints(fields.get('points'), where, itemNode);
      if (cents === undefined) return;
      items.push({ id, kind, title: title ?? id, maxCents: cents, checks: [] });
      return;
    }

    if (kind === 'check') {
      const check = byId.get(id);
      if (!check) {
        at(idNode, where, `unknown check id "${id}"${suggest(id, [...byId.keys()])}`);
        return;
      }
      const cents = readPoints(fields.get('points'), where, itemNode);
      const partial = readPartial(fields.get('partial'), where, cents);
      if (cents === undefined) return;
      if (!claim(id, where, itemNode)) return;
      checks.set(id, { id, item: id, maxCents: cents, visibility: hidden === undefined ? check.visibility : hidden ? 'hidden' : 'public', partial });
      items.push({ id, kind, title: title ?? check.title, maxCents: cents, checks: [id] });
      return;
    }

    // kind === 'target'
    const members = targets.get(id);
    if (!members) {
      at(idNode, where, `no check judges the target "${id}"${suggest(id, [...targets.keys()])}`);
      return;
    }
    const spreadNode = fields.get('spread')?.value;
    let spread: 'weighted' | 'equal' = 'weighted';
    if (spreadNode) {
      if (isScalar(spreadNode) && (spreadNode.value === 'weighted' || spreadNode.value === 'equal')) spread = spreadNode.value;
      else at(spreadNode, where, '`spread:` must be "weighted" or "equal"');
    }
    const explicit = fields.get('checks');
    let shares: Map<string, number> | undefined;
    let cents = fields.has('points') || !explicit ? readPoints(fields.get('points'), where, itemNode) : undefined;
    if (explicit) {
      if (spreadNode) at(spreadNode, where, 'give either `spread:` or an explicit `checks:` split, not both');
      shares = readSplit(explicit, where, members);
      if (!shares) return;
      const sum = [...shares.values()].reduce((a, b) => a + b, 0);
      if (cents === undefined && !fields.has('points')) cents = sum;
      else if (cents !== undefined && sum !== cents) {
        at(explicit.value, where, `the \`checks:\` split adds up to ${formatCents(sum)} points, but \`points:\` is ${formatCents(cents)}`);
        return;
      }
    }
    if (cents === undefined) return;
    if (!shares) {
      const weights = spread === 'equal' || members.every((check) => !(check.points > 0)) ? members.map(() => 1) : members.map((check) => Math.max(0, check.points) || 0);
      const split = apportion(cents, weights);
      shares = new Map(members.map((check, i) => [check.id, split[i]]));
    }
    const claimed = members.filter((check) => shares!.has(check.id));
    if (!claimed.every((check) => claim(check.id, where, itemNode))) return;
    for (const check of claimed) {
      const visibility = hidden === undefined ? check.visibility : hidden ? 'hidden' : 'public';
      checks.set(check.id, { id: check.id, item: id, maxCents: shares.get(check.id)!, visibility, partial: [] });
    }
    items.push({ id, kind, title: title ?? `${id} (${claimed.length} check${claimed.length === 1 ? '' : 's'})`, maxCents: cents, checks: claimed.map((check) => check.id) });
  });

  if (problems.length > 0) throw new RubricError(file, problems);
  const ordered = catalogue.filter((check) => checks.has(check.id)).map((check) => checks.get(check.id)!);
  return { source: file, name: name || file, items, checks: ordered, maxCents: items.reduce((sum, item) => sum + item.maxCents, 0) };

  // --- helpers (closures over `at`, `checkOwner`) -------------------------------------------

  function claim(checkId: string, where: string, node: Node): boolean {
    const owner = checkOwner.get(checkId);
    if (owner) {
      at(node, where, `duplicate item: the check "${checkId}" is already graded by ${owner}`);
      return false;
    }
    checkOwner.set(checkId, where);
    return true;
  }

  function readTitle(pair: Pair<Node, Node> | undefined, where: string): string | undefined {
    if (!pair) return undefined;
    if (isScalar(pair.value) && typeof pair.value.value === 'string') return pair.value.value;
    at(pair.value ?? pair.key, where, '`title:` must be a string');
    return undefined;
  }

  function readHidden(pair: Pair<Node, Node> | undefined, where: string): boolean | undefined {
    if (!pair) return undefined;
    if (isScalar(pair.value) && typeof pair.value.value === 'boolean') return pair.value.value;
    at(pair.value ?? pair.key, where, '`hidden:` must be true or false');
    return undefined;
  }

  function readPoints(pair: Pair<Node, Node> | undefined, where: string, owner: Node): number | undefined {
    if (!pair) {
      at(owner, where, '`points:` is missing');
      return undefined;
    }
    return pointsOf(pair.value, where, 'points');
  }

  function pointsOf(node: Node | null, where: string, label: string): number | undefined {
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== 'number') {
      const shown = isScalar(node) ? JSON.stringify(node.value) : node ? 'a list or mapping' : 'nothing';
      at(node, where, `\`${label}:\` must be a number, got ${shown}`);
      return undefined;
    }
    if (!Number.isFinite(value)) {
      at(node, where, `\`${label}:\` must be a finite number, got ${value}`);
      return undefined;
    }
    if (value < 0) {
      at(node, where, `\`${label}:\` must not be negative, got ${value}`);
      return undefined;
    }
    const cents = Math.round(value * 100);
    if (Math.abs(cents - value * 100) > 1e-6) {
      at(node, where, `\`${label}:\` may have at most two decimals, got ${value}`);
      return undefined;
    }
    return cents;
  }

  function readPartial(pair: Pair<Node, Node> | undefined, where: string, maxCents: number | undefined): PartialRule[] {
    if (!pair) return [];
    if (!isSeq(pair.value)) {
      at(pair.value ?? pair.key, where, '`partial:` must be a list such as `[{ diagnosis: skips-first-step, points: 3 }]`');
      return [];
    }
    const rules: PartialRule[] = [];
    const seen = new Set<string>();
    pair.value.items.forEach((raw, i) => {
      const node = raw as Node;
      const label = `${where}, partial ${i + 1}`;
      if (!isMap(node)) {
        at(node, label, 'must be a mapping such as `{ status: failed, points: 1 }`');
        return;
      }
      const fields = readFields(node);
      for (const [key, field] of fields) if (!['status', 'diagnosis', 'points'].includes(key)) at(field.key, label, `unknown key "${key}" (allowed: status, diagnosis, points)`);
      const status = fields.get('status')?.value;
      const diagnosis = fields.get('diagnosis')?.value;
      if ((status === undefined) === (diagnosis === undefined)) {
        at(node, label, 'needs exactly one of `status:` or `diagnosis:`');
        return;
      }
      const rule: PartialRule = { cents: 0 };
      if (status !== undefined) {
        if (!isScalar(status) || !(PARTIAL_STATUSES as readonly unknown[]).includes(status.value)) {
          at(status, label, `\`status:\` must be one of ${PARTIAL_STATUSES.join(', ')}`);
          return;
        }
        rule.status = status.value as PartialRule['status'];
      } else {
        if (!isScalar(diagnosis) || typeof diagnosis!.value !== 'string' || diagnosis!.value === '') {
          at(diagnosis, label, '`diagnosis:` must be a non-empty string');
          return;
        }
        rule.diagnosis = diagnosis!.value;
      }
      const key = rule.status ? `status:${rule.status}` : `diagnosis:${rule.diagnosis}`;
      if (seen.has(key)) {
        at(node, label, `duplicate partial rule for ${key.replace(':', ' ')}`);
        return;
      }
      seen.add(key);
      const cents = readPoints(fields.get('points'), label, node);
      if (cents === undefined) return;
      if (maxCents !== undefined && cents > maxCents) {
        at(fields.get('points')!.value, label, `partial credit (${formatCents(cents)}) is more than the item's points (${formatCents(maxCents)})`);
        return;
      }
      rules.push({ ...rule, cents });
    });
    return rules;
  }

  function readSplit(pair: Pair<Node, Node>, where: string, members: CheckDefinition[]): Map<string, number> | undefined {
    if (!isMap(pair.value)) {
      at(pair.value ?? pair.key, where, '`checks:` must map check ids to points, e.g. `{ grad.w.shape: 2, grad.w.value: 7 }`');
      return undefined;
    }
    const memberIds = members.map((check) => check.id);
    const shares = new Map<string, number>();
    let ok = true;
    for (const entry of pair.value.items as Pair<Node, Node>[]) {
      const checkId = isScalar(entry.key) ? String(entry.key.value) : '';
      if (!memberIds.includes(checkId)) {
        at(entry.key, where, byId.has(checkId) ? `the check "${checkId}" judges ${byId.get(checkId)!.target}, not this target` : `unknown check id "${checkId}"${suggest(checkId, memberIds)}`);
        ok = false;
        continue;
      }
      const cents = pointsOf(entry.value, `${where}, checks.${checkId}`, 'points');
      if (cents === undefined) ok = false;
      else shares.set(checkId, cents);
    }
    return ok ? shares : undefined;
  }
}

function readFields(node: YAMLMap): Map<string, Pair<Node, Node>> {
  const fields = new Map<string, Pair<Node, Node>>();
  for (const pair of node.items as Pair<Node, Node>[]) fields.set(isScalar(pair.key) ? String(pair.key.value) : String(pair.key), pair);
  return fields;
}

/** Splits `total` hundredths in proportion to `weights` (largest remainder; ties go to the earlier check). */
export function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i]++;
    left--;
  }
  return shares;
}

/** ` (did you mean "x"?)` for the closest known name, when one is close. */
function suggest(name: string, known: string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = levenshtein(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 4))) return ` (did you mean "${best}"?)`;
  return known.length === 0 ? ' (the check catalogue is empty)' : '';
}

function levenshtein(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** Hundredths as points: 600 → 6, 267 → 2.67. */
export function centsToPoints(cents: number): number {
  return cents / 100;
}

export function formatCents(cents: number): string {
  return String(cents / 100);
}

/** The catalogue's checks that the rubric grades, in catalogue order. */
export function selectChecks(catalogue: readonly CheckDefinition[], rubric: Rubric): CheckDefinition[] {
  const graded = new Set(rubric.checks.map((check) => check.id));
  return catalogue.filter((check) => graded.has(check.id));
}

/** Hundredths earned by a check's outcome under the rubric. */
export function scoreCheck(rule: RubricCheck, outcome: { status: CheckStatus; diagnosis?: string }): number {
  if (outcome.status === 'passed') return rule.maxCents;
  let best = 0;
  for (const partial of rule.partial) {
    const matches = partial.diagnosis !== undefined ? outcome.diagnosis === partial.diagnosis : outcome.status === partial.status;
    if (matches) best = Math.max(best, partial.cents);
  }
  return best;
}

/** The rubric's items as they appear in a report. */
export function rubricItemsForReport(rubric: Rubric): RubricItemReport[] {
  return rubric.items.map((item) => ({ id: item.id, kind: item.kind, title: item.title, maxPoints: centsToPoints(item.maxCents), checks: [...item.checks] }));
}

// --- manual scores ------------------------------------------------------------------------

/** Scores of manual items, in hundredths: submission id → item id → score. */
export type ManualScores = Map<string, Map<string, number>>;

export class ManualScoresError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`The manual scores ${file} cannot be used:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ManualScoresError';
  }
}

/**
 * Reads the --manual CSV: a header row with an `id` column (the submission id) and one column per
 * manual rubric item (named by the item's id); other columns (names, comments) are ignored. An
 * empty cell means "not graded yet".
 */
export function loadManualScores(file: string, rubric: Rubric, label: string = file): ManualScores {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (error as Error).message;
    throw new ManualScoresError(label, [`${label}: cannot be read: ${reason}`]);
  }
  return parseManualScores(text, label, rubric);
}

export function parseManualScores(text: string, file: string, rubric: Rubric): ManualScores {
  const manualItems = rubric.items.filter((item) => item.kind === 'manual');
  if (manualItems.length === 0) throw new ManualScoresError(file, [`${file}: --manual was given, but the rubric ${rubric.source} has no manual items`]);
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, { bom: true, info: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as unknown as typeof rows;
  } catch (error) {
    throw new ManualScoresError(file, [`${file}: not valid CSV: ${(error as Error).message}`]);
  }
  if (rows.length === 0) throw new ManualScoresError(file, [`${file}: the file is empty; it needs a header row such as "id,${manualItems.map((item) => item.id).join(',')}"`]);
  const header = rows[0].record;
  const idColumn = header.findIndex((name) => name.toLowerCase() === 'id');
  const problems: string[] = [];
  if (idColumn < 0) problems.push(`${file}:${rows[0].info.lines}: the header needs an "id" column (the submission id), found: ${header.join(', ')}`);
  const columns = manualItems.map((item) => ({ item, index: header.indexOf(item.id) })).filter((column) => column.index >= 0);
  if (columns.length === 0) problems.push(`${file}:${rows[0].info.lines}: no column is named after a manual item of the rubric (${manualItems.map((item) => item.id).join(', ')}); found: ${header.join(', ')}`);
  if (problems.length > 0) throw new ManualScoresError(file, problems);

  const scores: ManualScores = new Map();
  const lineOf = new Map<string, number>();
  for (const { record, info } of rows.slice(1)) {
    const line = info.lines;
    const id = (record[idColumn] ?? '').trim();
    if (id === '') {
      problems.push(`${file}:${line}: the "id" cell is empty`);
      continue;
    }
    if (lineOf.has(id)) {
      problems.push(`${file}:${line}: the submission "${id}" already has a row (line ${lineOf.get(id)})`);
      continue;
    }
    lineOf.set(id, line);
    const row = new Map<string, number>();
    for (const { item, index } of columns) {
      const cell = (record[index] ?? '').trim();
      if (cell === '') continue;
      const value = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(cell) ? Number(cell) : NaN;
      const cents = Math.round(value * 100);
      if (!Number.isFinite(value)) problems.push(`${file}:${line}: ${id}, ${item.id}: "${cell}" is not a number`);
      else if (value < 0 || cents > item.maxCents) problems.push(`${file}:${line}: ${id}, ${item.id}: ${cell} is outside 0..${formatCents(item.maxCents)}`);
      else if (Math.abs(cents - value * 100) > 1e-6) problems.push(`${file}:${line}: ${id}, ${item.id}: ${cell} has more than two decimals`);
      else row.set(item.id, cents);
    }
    scores.set(id, row);
  }
  if (problems.length > 0) throw new ManualScoresError(file, problems);
  return scores;
}
