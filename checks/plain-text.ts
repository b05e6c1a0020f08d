/**
 * Submission text (ids, messages, errors) made inert for plain-text readers: a terminal, a CI log
 * (GitHub Actions runs any log line that starts with `::` as a workflow command), and JSON that a
 * log prints raw (the GitHub Classroom reporter, Gradescope's text output). Here in checks/ so
 * that the grader's reports and the handout's Classroom converter share one sanitiser.
 */
import stripAnsi from 'strip-ansi';

/**
 * Terminal escape sequences removed (strip-ansi), then every other control character (C0 but tab
 * and line feed, DEL, C1) replaced by U+FFFD so that it shows up instead of acting; CR LF and
 * lone CR become LF.
 */
export function plainText(text: string): string {
  return stripAnsi(text.replace(/\r\n?/g, '\n')).replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, '\uFFFD');
}

/** plainText on one line: line ends and tabs become spaces (a name in a table or a log line). */
export function plainLine(text: string): string {
  return plainText(text).replace(/[\n\t]/g, ' ');
}

/**
 * Lines that a CI log would act on, made inert: `::command::` (GitHub Actions workflow commands,
 * also after leading spaces) and `##[…]` / `##vso[…]` (log commands) get a space between their
 * first two characters, so they are shown as written and never run.
 */
export function noWorkflowCommands(text: string): string {
  return text.replace(
    /^([ \t]*)(:(?=:)|#(?=#(?:vso)?\[))/gm,
    (_match, indent: string, first: string) => `${indent}${first} `,
  );
}

/** Text for a CI log: plainText, then no line that a runner would take as a command. */
export function logText(text: string): string {
  return noWorkflowCommands(plainText(text));
}
