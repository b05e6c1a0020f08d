/**
 * Submission text (ids, messages, errors) made inert for plain-text readers: a terminal, a CI log
 * (GitHub Actions runs any log line that starts with `::` as a workflow command), and JSON that a
 * log prints raw (the GitHub Classroom reporter, Gradescope's text output). The sanitisers live in
 * checks/plain-text.ts, which the handout ships too; terminalLine is the grader's own.
 */
export { logText, noWorkflowCommands, plainLine, plainText } from '../../checks/plain-text';

/**
 * One line for a terminal, every control character shown rather than acted on: C0 ones and DEL
 * as their Unicode control pictures (ESC as ␛, so `␛[2J` is seen but clears nothing), C1 ones as
 * U+FFFD, line ends and tabs as spaces. Unlike plainText nothing is dropped, so a name made of
 * escape sequences still shows on the screen.
 */
export function terminalLine(text: string): string {
  return text
    .replace(/\r\n?|[\n\t]/g, ' ')
    .replace(/[\u0000-\u001F\u007F-\u009F]/g, (c) =>
      c === '\u007F' ? '\u2421' : c < ' ' ? String.fromCharCode(0x2400 + c.charCodeAt(0)) : '\uFFFD',
    );
}
