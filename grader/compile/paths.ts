/** Where the lab's support module lives (resolved through the `rnn-lab` dependency, from any cwd). */
export function labEntryPath(): string {
  const resolved = require.resolve('rnn-lab');
  if (!/\.ts$/.test(resolved)) throw new Error(`rnn-lab resolved to ${resolved}, expected lab/index.ts`);
  return resolved;
}
