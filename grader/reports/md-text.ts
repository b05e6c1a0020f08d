/**
 * Submission text (ids, messages, errors, paths) made inert for GitHub-flavoured Markdown: it
 * must show as written, never end a table row, close a code span, or reach the renderer as HTML
 * or an entity. Control characters and terminal escapes are taken out first (./plain-text).
 */
import { noWorkflowCommands, plainLine, plainText } from './plain-text';

/**
 * Inline text (after a list marker, in a heading, a paragraph or a table cell): one line, with a
 * backslash before every character that could start inline markup: emphasis (`*`, `_`, `~`),
 * code (`` ` ``), links and images (`[`, `]`, `!`), raw HTML and autolinks (`<`, `>`), entities
 * (`&`, so `&amp;` shows as written), a cell boundary (`|`), a heading's closing `#`, GitHub's
 * math (`$`) and mentions (`@`), and the backslash itself. CommonMark allows a backslash before
 * any ASCII punctuation, so each escape shows as the bare character.
 */
export function mdInline(text: string): string {
  return plainLine(text).replace(/[\\`*_~[\]!<>&|#$@]/g, '\\$&');
}

/**
 * A code span: one line, fenced with more backticks than the longest run inside (spaces pad a
 * span that starts or ends with a backtick). `inTable`: GFM splits table cells on `|` even in
 * code spans unless it is escaped, and shows the escaped `\|` as `|`.
 */
export function mdCode(text: string, options: { inTable?: boolean } = {}): string {
  let line = plainLine(text);
  if (options.inTable) line = line.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = line.startsWith('`') || line.endsWith('`') || line === '' ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}

/**
 * A message as Markdown: inline (`lead` + mdInline) when it is one line, else a fenced `text`
 * block, each line prefixed with `indent` (to stay inside a list item), fenced with more
 * backticks than any run in it so that no line can close it. The CI prints its summaries to the
 * job log too, so no line of the block may start a workflow command (`::…`).
 */
export function mdMessage(message: string, indent = '', lead = ' — '): string {
  const text = noWorkflowCommands(plainText(message));
  if (text === '') return '';
  if (!text.includes('\n')) return `${lead}${mdInline(text)}`;
  return `\n\n${mdFenced(text, indent)}\n`;
}

/**
 * A fenced `text` block, each line prefixed with `indent`, fenced with more backticks than any
 * run in it (at least three) so that no line of it can close the block.
 */
export function mdFenced(text: string, indent = ''): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const body = text
    .split('\n')
    .map((line) => `${indent}${line}`)
    .join('\n');
  return `${indent}${fence}text\n${body}\n${indent}${fence}`;
}
