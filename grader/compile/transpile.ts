/**
 * TypeScript/JavaScript → CommonJS, one file at a time, with esbuild's transform (no bundling,
 * no type information: types are checked separately and never block grading). A syntax error
 * is reported as `rnn.ts:12:5: message`.
 */
import { transformSync } from 'esbuild';
import type { Message, TransformFailure } from 'esbuild';
import type { SubmissionFile } from './collect';

export type TranspileResult = { ok: true; code: string } | { ok: false; error: string };

export function transpileFile(file: SubmissionFile): TranspileResult {
  if (file.kind === 'json') return { ok: true, code: file.text };
  try {
    const result = transformSync(file.text, {
      loader: file.kind,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcefile: file.rel,
      sourcemap: 'inline',
      logLevel: 'silent',
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: false } },
    });
    return { ok: true, code: result.code };
  } catch (error) {
    return { ok: false, error: describeTransformError(file.rel, error) };
  }
}

function describeTransformError(rel: string, error: unknown): string {
  const errors = (error as Partial<TransformFailure>).errors;
  const first: Message | undefined = Array.isArray(errors) ? errors[0] : undefined;
  if (!first) return `${rel}: ${error instanceof Error ? error.message : String(error)}`;
  const where = first.location ? `${first.location.file || rel}:${first.location.line}:${first.location.column + 1}` : rel;
  const more = Array.isArray(errors) && errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  return `${where}: ${first.text}${more}`;
}

/** The output name of a source file: `lib/a.ts` → `lib/a.js`. */
export function outputName(file: SubmissionFile): string {
  return file.kind === 'ts' ? file.rel.replace(/\.ts$/, '.js') : file.rel;
}
