/**
 * Scores of the rubric's manual items, read from the --manual CSV (one row per submission, one
 * column per manual item).
 */
import { parse } from 'csv-parse/sync';
import { formatCents } from './points';
import { readText } from './read-text';
import type { Rubric } from './rubric';

/** Scores of manual items, in hundredths: submission id → item id → score. */
export type ManualScores = Map<string, Map<string, number>>;

export class ManualScoresError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
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
  const read = readText(file);
  if (!read.ok) throw new ManualScoresError(label, [`${label}: cannot be read: ${read.reason}`]);
  return parseManualScores(read.text, label, rubric);
}

export function parseManualScores(text: string, file: string, rubric: Rubric): ManualScores {
  const manualItems = rubric.items.filter((item) => item.kind === 'manual');
  if (manualItems.length === 0)
    throw new ManualScoresError(file, [
      `${file}: --manual was given, but the rubric ${rubric.source} has no manual items`,
    ]);
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    }) as unknown as typeof rows;
  } catch (error) {
    throw new ManualScoresError(file, [`${file}: not valid CSV: ${(error as Error).message}`]);
  }
  if (rows.length === 0)
    throw new ManualScoresError(file, [
      `${file}: the file is empty; it needs a header row such as "id,${manualItems.map((item) => item.id).join(',')}"`,
    ]);
  const header = rows[0].record;
  const idColumn = header.findIndex((name) => name.toLowerCase() === 'id');
  const problems: string[] = [];
  if (idColumn < 0)
    problems.push(
      `${file}:${rows[0].info.lines}: the header needs an "id" column (the submission id), found: ${header.join(', ')}`,
    );
  const columns = manualItems
    .map((item) => ({ item, index: header.indexOf(item.id) }))
    .filter((column) => column.index >= 0);
  if (columns.length === 0)
    problems.push(
      `${file}:${rows[0].info.lines}: no column is named after a manual item of the rubric (${manualItems.map((item) => item.id).join(', ')}); found: ${header.join(', ')}`,
    );
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
      else if (value < 0 || cents > item.maxCents)
        problems.push(`${file}:${line}: ${id}, ${item.id}: ${cell} is outside 0..${formatCents(item.maxCents)}`);
      else if (Math.abs(cents - value * 100) > 1e-6)
        problems.push(`${file}:${line}: ${id}, ${item.id}: ${cell} has more than two decimals`);
      else row.set(item.id, cents);
    }
    scores.set(id, row);
  }
  if (problems.length > 0) throw new ManualScoresError(file, problems);
  return scores;
}
