/**
 * The program that runs INSIDE the sandboxed child process. esbuild bundles it (with the
 * protocol dispatcher and the lab's Rng, nothing of the reference or the checks) into one
 * runner.js per grader run.
 *
 * Protocol:
 *   stdin, line 1 (parent → child):  {"nonce": "<random hex>", "entry": "<path of rnn.js>"}
 *   stdin, next lines:               {"id": <n>, "request": <CallRequest>}
 *   fd 3 (child → parent), lines:    {"nonce": …, "ack": <n>}    request n read, about to run
 *                                    {"nonce": …, "loaded": {"ok": true|false, "ms": …, "error"?: {…}}}  once
 *                                    {"nonce": …, "id": <n>, "response": <CallResponse>}
 *   or, for a sequence of requests      {"id": <n>, "sequence": [<CallRequest>, …]}
 *   served in order, one line each:     {"nonce": …, "id": <n>, "part": <i>, "response": <CallResponse>}
 *   (each part is written as soon as it is answered: if the process is lost while serving one,
 *   the parent still has the answers of those before it).
 * The submission is required lazily, on the first request, after the nonce has been read. What
 * the runner needs after that (JSON.parse, fs.writeSync, Object.keys, String.prototype methods,
 * the nonce) is captured before student code runs, and responses are serialized by hand into
 * ASCII strings written as strings, so replacing globals or module functions (JSON.stringify,
 * toJSON, fs.writeSync, Buffer.from, Buffer.prototype, TypedArray getters, console) can neither
 * read a line (and its nonce) nor change one (tests/grader/protocol-capture.test.ts).
 * stdout and stderr belong to the submission: the parent only logs them.
 */
import * as fs from 'fs';
import { apply, isArray, objectKeys, parseJson } from '../../checks/protocol/builtins';
import { createDispatcher } from '../../checks/protocol/dispatch';
import type { CallRequest, CallResponse } from '../../checks/protocol/requests';

const CHANNEL_FD = 3;
// Taken now, before the submission loads: `import { writeSync } from 'fs'` would be looked up on
// the fs module object at every call, where the submission can replace it and read every line.
// A string (not a Buffer) is written: Node passes it straight to its native binding, while a
// Buffer would go through Buffer.prototype methods and TypedArray getters a submission can plant.
const writeSync = fs.writeSync;
const readFileSync = fs.readFileSync;
const Float64ArrayCtor = Float64Array;
const Uint8ArrayCtor = Uint8Array;
const stringIndexOf = String.prototype.indexOf;
const stringSlice = String.prototype.slice;
const charCodeAt = String.prototype.charCodeAt;
const HEX = '0123456789abcdef';
const performanceNow = performance.now.bind(performance);
const sleepCell = new Int32Array(new SharedArrayBuffer(4));
const atomicsWait = Atomics.wait;
const processRef = process;
const reallyExit = (process as unknown as { reallyExit: (code: number) => never }).reallyExit;
const stdin = process.stdin;

let nonceJson: string | undefined;
let entry: string | undefined;
let dispatch: ((request: CallRequest) => CallResponse) | undefined;
let loadError: { name: string; message: string } | undefined;
const storedBeforeLoad: CallRequest[] = [];

/** Writes one message line to the channel in pieces of about 64 KiB (constant memory for big answers). */
class LineWriter {
  private buffer = '';
  write(text: string): void {
    this.buffer += text;
    if (this.buffer.length >= 65536) this.flush();
  }
  flush(): void {
    if (this.buffer.length > 0) send(this.buffer);
    this.buffer = '';
  }
}

/** Writes one (ASCII-only) line to the channel; ASCII makes a partial write's byte count its character count. */
function send(line: string): void {
  let rest = line;
  while (rest.length > 0) {
    let written = 0;
    try {
      written = apply(writeSync, undefined, [CHANNEL_FD, rest, null, 'latin1']) as number;
    } catch (error) {
      if ((error as { code?: string } | null)?.code !== 'EAGAIN') throw error;
      apply(atomicsWait, Atomics, [sleepCell, 0, 0, 2]);
    }
    if (written > 0) rest = apply(stringSlice, rest, [written]) as string;
  }
}

/**
 * A JSON string literal holding only ASCII (everything else as \uXXXX), built by hand: no
 * JSON.stringify or String.prototype method a submission could have replaced sees our text.
 */
function jsonString(text: string): string {
  let out = '"';
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = apply(charCodeAt, text, [i]) as number;
    if (code >= 0x20 && code <= 0x7e && code !== 0x22 && code !== 0x5c) out += text[i];
    else out += '\\u' + HEX[(code >> 12) & 15] + HEX[(code >> 8) & 15] + HEX[(code >> 4) & 15] + HEX[code & 15];
  }
  return out + '"';
}

/**
 * Streams the JSON of a CallResponse (plain data) to `out`, without JSON.stringify's toJSON
 * lookups and without building the whole text in memory.
 */
function serialize(value: unknown, out: LineWriter): void {
  if (value === null || value === undefined) return out.write('null');
  switch (typeof value) {
    case 'number':
      return out.write(value === value && value !== Infinity && value !== -Infinity ? '' + value : 'null');
    case 'string':
      return out.write(jsonString(value));
    case 'boolean':
      return out.write(value ? 'true' : 'false');
    case 'object': {
      if (isArray(value)) {
        out.write('[');
        const length = value.length;
        for (let i = 0; i < length; i++) {
          if (i > 0) out.write(',');
          serialize(value[i], out);
        }
        return out.write(']');
      }
      out.write('{');
      let first = true;
      const keys = objectKeys(value);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined || typeof item === 'function') continue;
        out.write((first ? '' : ',') + jsonString(key) + ':');
        serialize(item, out);
        first = false;
      }
      return out.write('}');
    }
    default:
      return out.write('null');
  }
}

function serializeToString(value: unknown): string {
  let text = '';
  const collector = { write: (piece: string) => void (text += piece) } as unknown as LineWriter;
  serialize(value, collector);
  return text;
}

function describe(error: unknown): { name: string; message: string } {
  try {
    if (error instanceof Error) return { name: String(error.name), message: String(error.message).slice(0, 4000) };
    return { name: 'Thrown', message: `thrown value ${String(error)}`.slice(0, 4000) };
  } catch {
    return { name: 'Thrown', message: 'an unprintable thrown value' };
  }
}

function load(): void {
  const started = performanceNow();
  // Signals to other processes are never part of the lab; inside the sandbox there is nobody
  // else to signal, and outside it (the fallback) the grader must not be reachable.
  const refuse = () => {
    throw new Error('process.kill is not available in the grader sandbox');
  };
  // Synchronous stdout/stderr: an output flood is stopped (by the parent's cap) while it happens,
  // inside the request that causes it, instead of being queued in memory and flushed later.
  for (const stream of [processRef.stdout, processRef.stderr]) {
    try {
      (stream as unknown as { _handle?: { setBlocking?: (blocking: boolean) => void } })._handle?.setBlocking?.(true);
    } catch {
      // not a pipe
    }
  }
  try {
    Object.defineProperty(processRef, 'kill', { value: refuse, writable: false, configurable: false });
    Object.defineProperty(processRef, '_kill', { value: refuse, writable: false, configurable: false });
  } catch {
    // best effort
  }
  let submission: Record<string, unknown> | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    submission = require(entry!) as Record<string, unknown>;
  } catch (error) {
    const { name, message } = describe(error);
    loadError = { name: 'LoadError', message: `rnn.ts could not be loaded: ${name}: ${message}` };
  }
  if (submission !== undefined) {
    dispatch = createDispatcher(submission);
    for (let i = 0; i < storedBeforeLoad.length; i++) dispatch(storedBeforeLoad[i]);
  }
  storedBeforeLoad.length = 0;
  const ms = performanceNow() - started;
  send(
    `{"nonce":${nonceJson},"loaded":{"ok":${loadError ? 'false' : 'true'},"ms":${serializeToString(ms)}${loadError ? `,"error":${serializeToString(loadError)}` : ''}}}\n`,
  );
}

function answer(request: CallRequest): CallResponse {
  if (dispatch === undefined && loadError === undefined) {
    if (request.op === 'store') {
      // Storing data never needs the submission: keep it for the dispatcher, do not load yet.
      storedBeforeLoad.push(request);
      return { ok: true, value: null, after: { args: [], storedChecksums: {} }, rngLog: [], ms: 0 };
    }
    load();
  }
  if (dispatch === undefined) return { ok: false, error: loadError!, rngLog: [], ms: 0 };
  try {
    return dispatch(request);
  } catch (error) {
    return { ok: false, error: describe(error), rngLog: [], ms: 0 };
  }
}

/**
 * A store request may name a read-only float64 file instead of carrying the matrix
 * (grader/sandbox/store-file.ts): the same number[][] is built from it before anything else sees it.
 */
function materialise(request: CallRequest): CallRequest {
  const file = (request as { matrixFile?: { path: string; rows: number; cols: number } }).matrixFile;
  if (request.op !== 'store' || file === undefined) return request;
  const rows = Number(file.rows);
  const cols = Number(file.cols);
  const bytes = apply(readFileSync, fs, [String(file.path)]) as Uint8Array;
  if (bytes.length !== rows * cols * 8)
    throw new Error(`the stored matrix file has ${bytes.length} bytes, not ${rows * cols * 8}`);
  const values = new Float64ArrayCtor(rows * cols);
  new Uint8ArrayCtor(values.buffer).set(bytes);
  const matrix: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: number[] = [];
    for (let c = 0; c < cols; c++) row[c] = values[r * cols + c];
    matrix[r] = row;
  }
  return { op: 'store', name: request.name, matrix };
}

function handle(line: string): void {
  if (nonceJson === undefined) {
    const hello = parseJson(line) as { nonce: string; entry: string };
    nonceJson = jsonString(String(hello.nonce));
    entry = String(hello.entry);
    return;
  }
  const message = parseJson(line) as { id: number; request?: CallRequest; sequence?: unknown };
  const id = Number(message.id);
  // Acknowledge before running anything of the submission: if the process dies before this
  // line, the parent knows the request was never started (and retries it in a fresh process).
  send(`{"nonce":${nonceJson},"ack":${'' + id}}\n`);
  const sequence = message.sequence;
  if (sequence === undefined) return reply(`{"nonce":${nonceJson},"id":${'' + id},"response":`, message.request!);
  const requests = (isArray(sequence) ? sequence : []) as CallRequest[];
  const count = requests.length;
  for (let i = 0; i < count; i++)
    reply(`{"nonce":${nonceJson},"id":${'' + id},"part":${'' + i},"response":`, requests[i]);
}

/** Serves one request and writes its answer line, which starts with `head`. */
function reply(head: string, request: CallRequest): void {
  let response: CallResponse;
  try {
    response = answer(materialise(request));
  } catch (error) {
    response = { ok: false, error: describe(error), rngLog: [], ms: 0 };
  }
  const out = new LineWriter();
  out.write(head);
  try {
    serialize(response, out);
  } catch (error) {
    // Part of the answer may be out already: end the line; the parent rejects it as malformed.
    out.write(jsonString(`unserializable: ${describe(error).name}`));
  }
  out.write('}\n');
  out.flush();
}

let pending = '';
stdin.setEncoding('utf8');
stdin.on('data', (chunk: string) => {
  const hasNewline = (apply(stringIndexOf, chunk, ['\n']) as number) >= 0;
  pending += chunk;
  if (!hasNewline) return; // only scan the buffered text when a line is complete
  for (;;) {
    const newline = apply(stringIndexOf, pending, ['\n']) as number;
    if (newline < 0) break;
    const line = apply(stringSlice, pending, [0, newline]) as string;
    pending = apply(stringSlice, pending, [newline + 1]) as string;
    if (line.length > 0) handle(line);
  }
});
stdin.on('end', () => reallyExit(0));
