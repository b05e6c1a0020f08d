/**
 * Measures what the sandbox costs on this machine:  npx tsx bench/sandbox-measure.ts [runs]
 * and which layer stops which attack:               npx tsx bench/sandbox-measure.ts --layers
 *
 * - bare `node -e 0` (the floor: Node's own start-up),
 * - per sandbox mode: spawn → rnn.ts loaded → first answer, a warm request, storing a
 *   training-sized matrix (34,392 × 6), and a restart (kill + fresh process + replayed store),
 * - preparing a submission: transpiling, and type-checking cold and warm.
 * Runs are interleaved between modes so that background load affects them alike.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { zerosMatrix, zerosVector } from 'rnn-lab';
import { prepareSubmission } from '../grader/compile';
import type { CallRequest } from '../checks/protocol/requests';
import { createSandboxExecutor } from '../grader/sandbox/executor';
import { getSandboxRuntime } from '../grader/sandbox/runtime';
import type { SandboxMode } from '../grader/sandbox/runtime';

const layers = process.argv.includes('--layers');
const runs = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 10);
const projectRoot = resolve(__dirname, '..');

function stats(values: number[]): string {
  const sorted = values.slice().sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  return `median ${median.toFixed(0)} ms (min ${sorted[0]?.toFixed(0)}, max ${sorted[sorted.length - 1]?.toFixed(0)})`;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'rnn-measure-'));
  chmodSync(root, 0o755);
  const source = join(root, 'source');
  mkdirSync(source);
  writeFileSync(join(source, 'rnn.ts'), readFileSync(join(projectRoot, 'reference', 'rnn.ts'), 'utf8'));

  let started = performance.now();
  const modes: SandboxMode[] = [];
  const runtimes = new Map<SandboxMode, ReturnType<typeof getSandboxRuntime>>();
  for (const mode of ['bwrap', 'fallback'] as const) {
    try {
      runtimes.set(mode, getSandboxRuntime({ mode }));
      modes.push(mode);
    } catch (error) {
      console.log(`${mode}: unavailable (${(error as Error).message})`);
    }
  }
  console.log(`runtime set-up (runner bundle + self-tests): ${(performance.now() - started).toFixed(0)} ms`);

  const prepareTimes = { transpile: [] as number[], typeCheck: [] as number[] };
  const prepared = prepareSubmission(source, join(root, 'work-0'));
  console.log(`type check, first of the run (parses lib + @types/node): ${prepared.timings.typeCheckMs.toFixed(0)} ms`);
  for (let i = 1; i <= Math.min(runs, 5); i++) {
    const again = prepareSubmission(source, join(root, `work-${i}`));
    prepareTimes.transpile.push(again.timings.transpileMs);
    prepareTimes.typeCheck.push(again.timings.typeCheckMs);
  }
  console.log(
    `prepareSubmission (reference rnn.ts): transpile+copy ${stats(prepareTimes.transpile)}; type check warm ${stats(prepareTimes.typeCheck)}`,
  );

  const matrix = Array.from({ length: 34_392 }, (_, i) => Array.from({ length: 6 }, (_, j) => Math.sin(i * 6 + j)));
  const store: CallRequest = { op: 'store', name: 'train', matrix };
  const setup = {
    hiddenStateSize: 10,
    numFeatures: 6,
    params: {
      u: matrix.slice(0, 10),
      w: Array.from({ length: 10 }, () => new Array(10).fill(0.01)),
      v: new Array(10).fill(0.1),
      b: new Array(10).fill(0),
      c: 0,
    },
  };
  const gradC: CallRequest = { op: 'method', setup, method: 'computeGradC', args: [{ value: 1 }, { value: 3 }] };
  const results = new Map<string, number[]>();
  const record = (key: string, ms: number) => results.set(key, [...(results.get(key) ?? []), ms]);

  for (let i = 0; i < runs; i++) {
    started = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    record('bare node -e 0', performance.now() - started);
    for (const mode of modes) {
      const executor = createSandboxExecutor(prepared, { memoryMb: 512 }, runtimes.get(mode));
      started = performance.now();
      const first = await executor.run({ op: 'exports' }, { timeoutMs: 30_000 });
      if (!first.ok) throw new Error(`${mode}: ${JSON.stringify(first)}`);
      record(`${mode}: spawn → loaded → first answer`, performance.now() - started);
      started = performance.now();
      await executor.run(gradC, { timeoutMs: 30_000 });
      record(`${mode}: warm request (computeGradC)`, performance.now() - started);
      started = performance.now();
      await executor.run(store, { timeoutMs: 30_000 });
      record(`${mode}: store 34,392 × 6 matrix`, performance.now() - started);
      // a restart: a request that times out, then the next request (fresh process + replayed store)
      await executor.run(
        {
          op: 'call',
          fn: 'trainRnn',
          args: [{ stored: 'train' }, { value: 1e9 }, { rng: { kind: 'seeded', seed: 1 } }],
        },
        { timeoutMs: 50 },
      );
      started = performance.now();
      await executor.run(gradC, { timeoutMs: 30_000 });
      record(`${mode}: restart + replayed store + answer`, performance.now() - started);
      await executor.close();
    }
  }
  for (const [key, values] of results) console.log(`${key.padEnd(44)} ${stats(values)}`);
  rmSync(root, { recursive: true, force: true });
}

/** Runs the attack fixtures (tests/fixtures/hostile) with layers switched off one at a time. */
async function measureLayers(): Promise<void> {
  const fixtures = join(projectRoot, 'tests', 'fixtures', 'hostile');
  const root = mkdtempSync(join(tmpdir(), 'rnn-layers-'));
  chmodSync(root, 0o755);
  mkdirSync(join(root, 'reference'));
  writeFileSync(join(root, 'reference', 'rnn.ts'), 'export const secret = "REFERENCE-SECRET";\n');
  process.env.RNN_LAYER_SECRET = 'layer-secret-value';
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  const sleeperPids = () =>
    execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => /^\s*(\d+)\s+sleep 31\.4159$/.exec(line)?.[1])
      .filter((pid): pid is string => pid !== undefined)
      .map(Number);
  const sleepers = () => sleeperPids().length;
  // The fixture's own escaped children (only possible with the permission model off), by pid.
  const killSleepers = () => {
    for (const pid of sleeperPids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  };
  const setup = {
    hiddenStateSize: 2,
    numFeatures: 1,
    params: {
      u: [[0.1], [0.2]],
      w: zerosMatrix(2, 2),
      v: [1, 1],
      b: zerosVector(2),
      c: 0,
    },
  };
  const gradC: CallRequest = { op: 'method', setup, method: 'computeGradC', args: [{ value: 1 }, { value: 3 }] };
  const gradB: CallRequest = {
    op: 'method',
    setup,
    method: 'computeGradB',
    args: [{ value: [[0, 0]] }, { value: [[0, 0]] }],
  };
  const means = (paths: string[]): CallRequest => ({ op: 'call', fn: 'columnMeans', args: [{ value: paths }] });
  const text = (result: unknown) => JSON.stringify(result);
  const hostHostname = readFileSync('/etc/hostname', 'utf8').trim();
  const hostRoot = readdirSync('/').join(',');
  type Measured = ReturnType<typeof createSandboxExecutor> & { workDirForMeasure: string };
  const attacks: Array<{ name: string; fixture: string; run: (executor: Measured) => Promise<string> }> = [
    {
      name: 'read files outside (reference, /etc/hostname)',
      fixture: 'read-secrets',
      run: async (e) => {
        const outcome = text(
          await e.run(means([join(root, 'reference', 'rnn.ts'), '/etc/hostname']), { timeoutMs: 10_000 }),
        );
        if (outcome.includes('REFERENCE-SECRET') || outcome.includes(`/etc/hostname: ${hostHostname}`))
          return 'NOT CONTAINED';
        return /READ /.test(outcome) ? "contained (only the sandbox's own files were readable)" : 'contained';
      },
    },
    {
      name: "list the host's / ",
      fixture: 'read-secrets',
      run: async (e) => {
        const outcome = text(await e.run(means([]), { timeoutMs: 10_000 }));
        const listed = /LISTED \/: ([^"]*)/.exec(outcome)?.[1];
        if (listed === undefined) return 'contained';
        return listed === hostRoot ? 'NOT CONTAINED' : `contained (sees the sandbox's own root: ${listed})`;
      },
    },
    {
      name: 'write ../report.json, /tmp, own folder (host)',
      fixture: 'write-files',
      run: async (e) => {
        const target = join(root, 'pwned.json');
        const outcome = text(await e.run(means([target]), { timeoutMs: 10_000 }));
        const onHost = [
          target,
          '/tmp/rnn-hostile-write-files.txt',
          join(e.workDirForMeasure, 'report.json'),
          join(e.workDirForMeasure, '..', 'report.json'),
        ].filter((path) => existsSync(path));
        if (onHost.length > 0) return `NOT CONTAINED (${onHost.join(', ')})`;
        return /WRITTEN/.test(outcome) ? "contained (writes landed in the sandbox's private tmpfs only)" : 'contained';
      },
    },
    {
      name: 'grader env via process.env, /proc/<ppid>/environ',
      fixture: 'env-secrets',
      run: async (e) =>
        text(await e.run(gradC, { timeoutMs: 10_000 })).includes('layer-secret-value') ? 'NOT CONTAINED' : 'contained',
    },
    {
      name: 'connect to a loopback server',
      fixture: 'network',
      run: async (e) => {
        const before = connections;
        await e.run({ op: 'call', fn: 'mseLoss', args: [{ value: port }, { value: 0 }] }, { timeoutMs: 10_000 });
        await new Promise((done) => setTimeout(done, 400));
        const status = text(
          await e.run({ op: 'call', fn: 'mseLoss', args: [{ value: -1 }, { value: 0 }] }, { timeoutMs: 10_000 }),
        );
        if (connections > before) return 'NOT CONTAINED';
        return e.getStats().processes === 1
          ? `contained (${JSON.parse(status).value})`
          : 'inconclusive (the process restarted)';
      },
    },
    {
      name: 'spawn 40 setsid sleepers (checked after close)',
      fixture: 'spawn-processes',
      run: async (e) => {
        const outcome = text(await e.run(gradC, { timeoutMs: 10_000 }));
        await e.close();
        const alive = sleepers();
        if (alive > 0) killSleepers();
        return alive > 0
          ? `NOT CONTAINED (${alive} alive after the kill; cleaned up)`
          : /spawned/.test(outcome)
            ? 'spawned, but none survived the kill'
            : 'contained';
      },
    },
    {
      name: 'worker_threads',
      fixture: 'worker-threads',
      run: async (e) =>
        /STARTED/.test(text(await e.run(gradC, { timeoutMs: 10_000 })))
          ? 'started a worker (in the same sandboxed process)'
          : 'contained',
    },
    {
      name: 'process.kill(ppid) (runner refuses process.kill)',
      fixture: 'kill-self',
      run: async (e) =>
        /not available/.test(text(await e.run(gradB, { timeoutMs: 10_000 }))) ? 'contained' : 'NOT CONTAINED',
    },
  ];
  const configs: Array<{ label: string; mode: SandboxMode; permissionModel: boolean }> = [
    { label: 'bwrap + permission model (default)', mode: 'bwrap', permissionModel: true },
    { label: 'bwrap alone', mode: 'bwrap', permissionModel: false },
    { label: 'fallback: permission model + uid + netns', mode: 'fallback', permissionModel: true },
    { label: 'fallback without permission model', mode: 'fallback', permissionModel: false },
  ];
  let serial = 0;
  for (const config of configs) {
    let runtime;
    try {
      runtime = getSandboxRuntime({ mode: config.mode, permissionModel: config.permissionModel });
    } catch (error) {
      console.log(`${config.label}: unavailable (${(error as Error).message})`);
      continue;
    }
    console.log(`\n${config.label}\n  ${runtime.description}`);
    for (const attack of attacks) {
      const prepared = prepareSubmission(join(fixtures, attack.fixture), join(root, `w${++serial}`), {
        typeCheck: false,
      });
      const executor = Object.assign(createSandboxExecutor(prepared, { memoryMb: 128 }, runtime), {
        workDirForMeasure: prepared.workDir,
      });
      try {
        console.log(`  ${attack.name.padEnd(52)} ${await attack.run(executor)}`);
      } finally {
        await executor.close();
      }
    }
  }
  server.close();
  rmSync('/tmp/rnn-hostile-write-files.txt', { force: true });
  rmSync(root, { recursive: true, force: true });
}

(layers ? measureLayers() : main()).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
