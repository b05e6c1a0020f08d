/**
 * Type-checks the student's rnn.ts (with the handout's tsconfig.json options) in a worker thread,
 * while the checks run: a type error is reported with its line, and never stops the checks of
 * what still transpiles. Only rnn.ts is a root (the handout's own files are ours and correct).
 *
 * Speed: the result is cached by the contents of rnn.ts, tsconfig.json and the lab's sources, so
 * an unchanged rnn.ts costs a hash, not a compiler run; in watch mode one worker keeps the
 * previous program, so a re-check after a save parses only rnn.ts again.
 */
import { createHash } from 'crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import path from 'path';
import { Worker } from 'worker_threads';

export interface TypeProblem {
  /** Relative to the handout's root, e.g. `rnn.ts`. */
  file: string;
  line: number;
  column: number;
  code: number;
  message: string;
  /** The line of code it is about (cut to 200 characters). */
  source?: string;
}

export interface TypeCheckResult {
  problems: TypeProblem[];
  /** Set when the compiler itself could not run (never the student's fault). */
  unavailable?: string;
  cached: boolean;
}

/** The worker: plain JavaScript, so it needs no loader. It keeps the last program between requests. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const path = require('path');
const ts = require(workerData.typescript);
let oldProgram;
parentPort.on('message', ({ root, file }) => {
  try {
    const configPath = path.join(root, 'tsconfig.json');
    const config = ts.readConfigFile(configPath, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config || {}, ts.sys, root, undefined, configPath);
    const options = { ...parsed.options, noEmit: true, incremental: false };
    const program = ts.createProgram({ rootNames: [path.join(root, file)], options, oldProgram });
    oldProgram = program;
    const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...program.getSemanticDiagnostics()];
    const problems = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: -1, character: -1 };
      return {
        file: d.file ? path.relative(root, d.file.fileName).split(path.sep).join('/') : 'tsconfig.json',
        line: where.line + 1,
        column: where.character + 1,
        code: d.code,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\\n'),
        source: d.file && where.line >= 0 ? d.file.text.split('\\n')[where.line].slice(0, 200) : undefined,
      };
    });
    parentPort.postMessage({ problems });
  } catch (error) {
    parentPort.postMessage({ unavailable: String(error && error.message || error) });
  }
});
`;

/** Everything the diagnostics depend on, hashed. */
function inputsKey(root: string, file: string, typescriptVersion: string): string {
  const hash = createHash('sha256').update(typescriptVersion);
  const add = (relative: string) => {
    hash.update(`\0${relative}\0`);
    try {
      hash.update(readFileSync(path.join(root, relative)));
    } catch {
      hash.update('(missing)');
    }
  };
  add(file);
  add('tsconfig.json');
  try {
    for (const name of readdirSync(path.join(root, 'lab')).sort()) add(path.join('lab', name));
  } catch {
    // no lab folder: the compiler will say what is missing
  }
  return hash.digest('hex');
}

export class TypeChecker {
  private worker: Worker | undefined;
  private readonly cacheFile: string;
  private readonly typescriptPath: string;
  private readonly typescriptVersion: string;

  constructor(
    private readonly root: string,
    private readonly file = 'rnn.ts',
  ) {
    this.cacheFile = path.join(root, 'node_modules', '.cache', 'rnn-lab-checks', 'typecheck.json');
    this.typescriptPath = require.resolve('typescript', { paths: [root] });
    this.typescriptVersion = (
      JSON.parse(readFileSync(path.join(path.dirname(this.typescriptPath), '..', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  }

  async check(): Promise<TypeCheckResult> {
    const key = inputsKey(this.root, this.file, this.typescriptVersion);
    const cached = this.readCache(key);
    if (cached) return { problems: cached, cached: true };
    const answer = await this.ask();
    if (answer.unavailable !== undefined) return { problems: [], unavailable: answer.unavailable, cached: false };
    this.writeCache(key, answer.problems!);
    return { problems: answer.problems!, cached: false };
  }

  /** Ends the worker (it would keep the process alive). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private ask(): Promise<{ problems?: TypeProblem[]; unavailable?: string }> {
    this.worker ??= new Worker(WORKER_SOURCE, { eval: true, workerData: { typescript: this.typescriptPath } });
    const worker = this.worker;
    return new Promise((resolve) => {
      const onMessage = (message: { problems?: TypeProblem[]; unavailable?: string }) => {
        worker.off('error', onError);
        resolve(message);
      };
      const onError = (error: Error) => {
        worker.off('message', onMessage);
        this.worker = undefined;
        resolve({ unavailable: error.message });
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
      worker.postMessage({ root: this.root, file: this.file });
    });
  }

  private readCache(key: string): TypeProblem[] | undefined {
    try {
      const stored = JSON.parse(readFileSync(this.cacheFile, 'utf8')) as { key: string; problems: TypeProblem[] };
      return stored.key === key && Array.isArray(stored.problems) ? stored.problems : undefined;
    } catch {
      return undefined;
    }
  }

  private writeCache(key: string, problems: TypeProblem[]): void {
    try {
      mkdirSync(path.dirname(this.cacheFile), { recursive: true });
      writeFileSync(this.cacheFile, JSON.stringify({ key, problems }));
    } catch {
      // a read-only folder only costs speed
    }
  }
}
