/**
 * Type-checks a submission with the TypeScript compiler API, against the lab contract
 * (docs: /work/shared/lab-contract.md). Type errors never block grading: they become at most
 * MAX_TYPE_WARNINGS warnings such as `type error in rnn.ts:12: …`.
 *
 * Only the submission's own files are visible: `rnn-lab` resolves to the lab's typed source,
 * Node builtins to @types/node, and every other import (`../../reference/rnn`, npm packages)
 * stays unresolved, exactly as in the sandbox. Library declaration files are parsed once per
 * grader run and reused, so checking one more submission costs a few tens of milliseconds of
 * CPU (docs/scaling.md).
 */
import { realpathSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, sep } from 'node:path';
import type * as TS from 'typescript';
import type { SubmissionFile } from './collect';
import { labEntryPath } from './paths';
import { exportTypes, rnnContractInterface } from '../../checks/lab/signatures';

export const MAX_TYPE_WARNINGS = 10;

/** The virtual file that states the contract's signatures as assignments from the submission's exports. */
export const CONTRACT_FILE_NAME = '__rnn_lab_contract__.ts';

const CONTRACT_HEADER = [
  `import type { Matrix, Rng, Vector } from 'rnn-lab';`,
  `import * as S from './rnn';`,
  `type StudentRnn = InstanceType<typeof S.RNN>;`,
  ...rnnContractInterface(),
];

/** One line per export: [name, declared type], from the lab definition (checks/lab/definition.ts). */
const CONTRACT_EXPORTS = exportTypes();

export function contractSource(): { text: string; lineToExport: Map<number, string> } {
  const lines = CONTRACT_HEADER.slice();
  const lineToExport = new Map<number, string>([
    [CONTRACT_HEADER.findIndex((line) => line.startsWith('type StudentRnn')), 'RNN'],
  ]);
  for (const [name, type] of CONTRACT_EXPORTS) {
    lineToExport.set(lines.length, name);
    lines.push(`export const contract_${name}: ${type} = S.${name};`);
  }
  return { text: lines.join('\n') + '\n', lineToExport };
}

let typescript: typeof TS | null | undefined;
/** Module paths, overridable for the worker thread (its bundle lives outside the project). */
const locations = { typescript: 'typescript', labEntry: undefined as string | undefined };

export function configureTypeCheck(paths: { typescript: string; labEntry: string }): void {
  locations.typescript = paths.typescript;
  locations.labEntry = paths.labEntry;
  typescript = undefined;
}

function loadTypescript(): typeof TS | null {
  if (typescript === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      typescript = require(locations.typescript) as typeof TS;
    } catch {
      typescript = null;
    }
  }
  return typescript;
}

/** Parsed library files (lib.*.d.ts, @types/node, lab/*.ts), shared by every check in this process. */
const libraryFiles = new Map<string, TS.SourceFile>();

/**
 * What module resolution asks of the file system outside the submission (node_modules, @types,
 * lab/), answered once per process: those files do not change during a grader run, and probing
 * them again (stat calls, package.json parses) was most of a warm check's time.
 */
interface LibraryFileSystem {
  fileExists(path: string): boolean;
  directoryExists(path: string): boolean;
  readFile(path: string): string | undefined;
  realpath(path: string): string;
}
const libraryLookups = {
  fileExists: new Map<string, boolean>(),
  directoryExists: new Map<string, boolean>(),
  readFile: new Map<string, string | undefined>(),
  realpath: new Map<string, string>(),
};

/** The compiler host's own file system calls, taken before the host is pointed at the submission. */
function realFileSystem(host: TS.CompilerHost): LibraryFileSystem {
  const { fileExists, directoryExists, readFile, realpath } = host;
  return {
    fileExists: (path) => fileExists.call(host, path),
    directoryExists: (path) => directoryExists?.call(host, path) ?? true,
    readFile: (path) => readFile.call(host, path),
    realpath: (path) => realpath?.call(host, path) ?? path,
  };
}

function libraryFileSystem(real: LibraryFileSystem): LibraryFileSystem {
  const remember =
    <T>(cache: Map<string, T>, lookup: (path: string) => T) =>
    (path: string): T => {
      if (cache.has(path)) return cache.get(path)!;
      const value = lookup(path);
      cache.set(path, value);
      return value;
    };
  return {
    fileExists: remember(libraryLookups.fileExists, real.fileExists),
    directoryExists: remember(libraryLookups.directoryExists, real.directoryExists),
    readFile: remember(libraryLookups.readFile, real.readFile),
    realpath: remember(libraryLookups.realpath, real.realpath),
  };
}

/**
 * Imports between library files (lib, @types/node, lab/) resolve the same way for every
 * submission: resolved once per process (re-resolving them was a third of a warm check).
 */
const libraryResolutions = new Map<string, TS.ResolvedModuleWithFailedLookupLocations>();

function libraryResolution(
  name: string,
  containingFile: string,
  compilerOptions: TS.CompilerOptions,
  host: TS.ModuleResolutionHost,
): TS.ResolvedModuleWithFailedLookupLocations {
  const key = `${name}\0${containingFile}`;
  let resolved = libraryResolutions.get(key);
  if (!resolved) {
    resolved = loadTypescript()!.resolveModuleName(name, containingFile, compilerOptions, host);
    libraryResolutions.set(key, resolved);
  }
  return resolved;
}

/**
 * The compiler asks, for every source file of a program (the ~100 library files included), which
 * package.json scope it lies in. Without a cache it reads and parses the project's and
 * @types/node's package.json again for each: ~5 % of a warm check. Those files do not change
 * during a run, and the submission's folder is virtual (it holds no package.json), so one cache
 * of package.json lookups serves every check. Module names are resolved by the host below, so the
 * cache's own resolutions are never consulted.
 */
let packageJsonLookups: TS.ModuleResolutionCache | undefined;

function sharedPackageJsonLookups(ts: typeof TS, options: TS.CompilerOptions, host: TS.CompilerHost) {
  packageJsonLookups ??= ts.createModuleResolutionCache(
    host.getCurrentDirectory(),
    (name) => host.getCanonicalFileName(name),
    options,
  );
  return packageJsonLookups;
}

/**
 * Where the submission's files lie for the compiler. Its folder is virtual (the files' texts are
 * given), and the same for every check, so that each program can take over the previous one's
 * structure: the library files found, their references and resolutions (createProgram's
 * `oldProgram`). Only the type checker is new for each submission, so no submission's check
 * depends on another's (a shared checker would not do: it numbers types in the order it meets
 * them, and a union's members are printed in that order).
 */
const VIRTUAL_ROOT = '/rnn-submission';

/** The last check's program, whose structure the next one reuses (each program has its own checker). */
let lastProgram: TS.Program | undefined;

export function typeCheckSubmission(files: readonly SubmissionFile[], maxWarnings = MAX_TYPE_WARNINGS): string[] {
  const ts = loadTypescript();
  if (!ts) return ['type check skipped: the typescript package is not installed'];
  const tsFiles = files.filter((file) => file.kind === 'ts');
  if (tsFiles.length === 0) return [];

  const root = VIRTUAL_ROOT;
  const rootPrefix = root + '/';
  const inside = (fileName: string) => fileName === root || fileName.startsWith(rootPrefix);
  const virtual = new Map<string, string>();
  for (const file of tsFiles) virtual.set(join(root, file.rel).split(sep).join('/'), file.text);
  const hasEntry = tsFiles.some((file) => file.rel === 'rnn.ts');
  const contract = contractSource();
  const contractPath = join(root, CONTRACT_FILE_NAME).split(sep).join('/');
  if (hasEntry) virtual.set(contractPath, contract.text);

  const labEntry = locations.labEntry ?? labEntryPath();
  const options: TS.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [join(projectRoot(labEntry), 'node_modules', '@types')],
  };

  const host = ts.createCompilerHost(options);
  const baseGetSourceFile = host.getSourceFile.bind(host);
  const real = realFileSystem(host);
  const outside = libraryFileSystem(real);
  host.fileExists = (fileName) => (inside(fileName) ? virtual.has(fileName) : outside.fileExists(fileName));
  host.readFile = (fileName) => (inside(fileName) ? virtual.get(fileName) : outside.readFile(fileName));
  const virtualDirectories = new Set([root]);
  for (const fileName of virtual.keys()) {
    for (let dir = dirname(fileName); dir.startsWith(rootPrefix); dir = dirname(dir)) virtualDirectories.add(dir);
  }
  host.directoryExists = (dirName) =>
    inside(dirName) ? virtualDirectories.has(dirName.replace(/\/$/, '')) : outside.directoryExists(dirName);
  host.realpath = (path) => (inside(path) ? path : outside.realpath(path));
  host.writeFile = () => undefined;
  host.getSourceFile = (fileName, languageVersion, onError) => {
    const text = virtual.get(fileName);
    if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion);
    if (inside(fileName)) return undefined;
    const key = `${fileName}|${typeof languageVersion === 'object' ? languageVersion.languageVersion : languageVersion}`;
    const cachedFile = libraryFiles.get(key);
    if (cachedFile) return cachedFile;
    const sourceFile = baseGetSourceFile(fileName, languageVersion, onError);
    if (sourceFile) libraryFiles.set(key, sourceFile);
    return sourceFile;
  };
  const lookups = sharedPackageJsonLookups(ts, options, host);
  host.getModuleResolutionCache = () => lookups;
  const builtins = new Set(builtinModules);
  host.resolveModuleNameLiterals = (literals, containingFile, _redirect, compilerOptions) =>
    literals.map((literal) => {
      const name = literal.text;
      if (!inside(containingFile)) return libraryResolution(name, containingFile, compilerOptions, host);
      if (name === 'rnn-lab') {
        return {
          resolvedModule: { resolvedFileName: labEntry, extension: ts.Extension.Ts, isExternalLibraryImport: false },
        };
      }
      if (name.startsWith('.') || name.startsWith('/')) {
        const resolved = ts.resolveModuleName(name, containingFile, compilerOptions, host).resolvedModule;
        return { resolvedModule: resolved && virtual.has(resolved.resolvedFileName) ? resolved : undefined };
      }
      if (builtins.has(name.replace(/^node:/, '')))
        return ts.resolveModuleName(name, containingFile, compilerOptions, host);
      return { resolvedModule: undefined };
    });

  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host, oldProgram: lastProgram });
  lastProgram = program;
  const messages: string[] = [];
  let total = 0;
  for (const fileName of virtual.keys()) {
    const sourceFile = program.getSourceFile(fileName);
    if (!sourceFile) continue;
    const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    for (const diagnostic of diagnostics) {
      if (diagnostic.category !== ts.DiagnosticCategory.Error) continue;
      total++;
      if (messages.length >= maxWarnings) continue;
      const text = firstLine(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      const line =
        diagnostic.start === undefined ? undefined : sourceFile.getLineAndCharacterOfPosition(diagnostic.start).line;
      if (fileName === contractPath) {
        const name = line === undefined ? undefined : contract.lineToExport.get(line);
        if (!name) messages.push(`type error in rnn.ts: ${text}`);
        else if (diagnostic.code === 2339)
          messages.push(`type error in rnn.ts: the lab contract asks for an export named ${name}, and rnn.ts has none`);
        else messages.push(`type error in rnn.ts: ${name} does not match the lab contract: ${text}`);
      } else {
        const rel = fileName.slice(rootPrefix.length);
        messages.push(`type error in ${rel}${line === undefined ? '' : `:${line + 1}`}: ${text}`);
      }
    }
  }
  // A missing RNN is reported once, not once per line that mentions it.
  const unique = [...new Set(messages)];
  total -= messages.length - unique.length;
  messages.length = 0;
  messages.push(...unique);
  if (total > messages.length)
    messages.push(`… and ${total - messages.length} more type error${total - messages.length > 1 ? 's' : ''}`);
  return messages;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 300 ? line.slice(0, 300) + '…' : line;
}

function projectRoot(labEntry: string): string {
  // lab/index.ts → the project folder (the one whose node_modules holds @types/node)
  return dirname(dirname(realpathSync(labEntry)));
}
