import { isAbsolute, relative, sep } from 'node:path';

/** A path for messages and reports: relative to `cwd` when inside it, absolute otherwise; always with `/`. */
export function shownPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  if (rel === '') return '.';
  return (rel.startsWith('..') || isAbsolute(rel) ? path : rel).split(sep).join('/');
}
