/**
 * Where in rnn.ts an error was thrown: the first frame of a (source-mapped) stack that lies in
 * the submission's file, as `at rnn.ts:LINE:COL` and that line of the source.
 */
import path from 'path';

export interface SourcePosition {
  line: number;
  column: number;
}

/** The first position in `file` named by the stack, if any. */
export function firstFrameIn(stack: string, file: string): SourcePosition | undefined {
  for (const frame of stack.split('\n')) {
    const at = frame.lastIndexOf(file + ':');
    if (at < 0) continue;
    const match = /^:(\d+):(\d+)/.exec(frame.slice(at + file.length));
    if (match) return { line: Number(match[1]), column: Number(match[2]) };
  }
  return undefined;
}

/** `  at rnn.ts:12:5` and `  12 |     return a[0];` (the source line cut to 160 characters). */
export function locateError(stack: string, file: string, sourceLines: readonly string[]): string | undefined {
  const position = firstFrameIn(stack, file);
  if (!position) return undefined;
  const lines = [`  at ${path.basename(file)}:${position.line}:${position.column}`];
  const text = sourceLines[position.line - 1];
  if (text !== undefined && text.trim().length > 0) {
    const shown = text.length > 160 ? text.slice(0, 160) + '…' : text;
    lines.push(`  ${position.line} | ${shown.replace(/\t/g, '  ')}`);
  }
  return lines.join('\n');
}
