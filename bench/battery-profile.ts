/**
 * Where a battery's CPU goes, per check: the grader's own CPU (the judge, fast-check, the
 * reference's computations, encoding and decoding) and the sandboxed child's CPU (reading
 * requests, the submission's code, writing answers), for one submission in its real sandbox.
 *
 *   npx tsx bench/battery-profile.ts [SUBMISSION_DIR] [--runs N] [--only ID,ID] [--data FILE] [--cpu-prof FILE] [--child-prof DIR]
 *
 * Each run grades the submission in a fresh child (as the grader does); per check it reports the
 * median over the runs of: messages sent (a sequence of requests is one), grader CPU (process.cpuUsage), child CPU (/proc, 10 ms
 * ticks) and the time the child spent inside the dispatcher (its answers' `ms`).
 * --cpu-prof writes the grader's profile of the batteries; --child-prof replays the last run's
 * requests, one at a time as the battery sent them, into the runner under `node --cpu-prof`
 * (without the sandbox, whose pid namespace and kill would lose the profile).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPollutionData } from 'rnn-lab/data';
import { runBattery } from '../checks/battery';
import { CATALOGUE } from '../checks/catalogue';
import type { CallRequest, ExecutionResult, Executor } from '../checks/protocol/requests';
import { prepareSubmission } from '../grader/compile';
import { createSandboxExecutor } from '../grader/sandbox/executor';
import { getSandboxRuntime } from '../grader/sandbox/runtime';
import { prepareData } from '../reference/pipeline';
import { median } from './stats';

interface CheckFigures {
  requests: number;
  graderCpuMs: number;
  childCpuMs: number;
  dispatchMs: number;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const dir = resolve(args.find((arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 'reference');
  const runs = Number(flag('--runs') ?? 3);
  // --only: a part of the catalogue, e.g. to see what the other checks' calls cost a later one
  const only = flag('--only')?.split(',');
  const checks = only ? CATALOGUE.filter((check) => only.includes(check.id)) : CATALOGUE;
  if (only && checks.length !== only.length) throw new Error(`--only: unknown check id among ${only.join(', ')}`);
  const train = prepareData(await loadPollutionData({ dataPath: flag('--data') })).train;

  const root = mkdtempSync(join(tmpdir(), 'rnn-profile-'));
  chmodSync(root, 0o755);
  const prepared = prepareSubmission(dir, join(root, 'work'), { typeCheck: 'inline' });
  if (!prepared.ok) throw new Error(`could not prepare ${dir}: ${prepared.error}`);

  // --cpu-prof: the grader's profile of the batteries alone (not the set-up before them).
  const profileFile = flag('--cpu-prof');
  const session = profileFile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const childProfileDir = flag('--child-prof');
  const record = childProfileDir !== undefined;
  const perCheck = new Map<string, CheckFigures[]>();
  const totals: Array<{ startMs: number; childCpuMs: number; graderCpuMs: number }> = [];
  let recorded: string[] = [];
  for (let run = 0; run < runs; run++) {
    recorded = [];
    const sandbox = createSandboxExecutor(join(root, 'work'));
    let requests = 0;
    let dispatchMs = 0;
    let retiredChildMs = 0;
    const childMs = () => retiredChildMs + (sandbox.cpuSeconds() ?? 0) * 1000;
    const counting: Executor = {
      async run(request: CallRequest, options) {
        requests++;
        if (record) recorded.push(JSON.stringify(request));
        const result: ExecutionResult = await sandbox.run(request, options);
        if ('ms' in result) dispatchMs += result.ms;
        return result;
      },
      async renew() {
        retiredChildMs = childMs(); // the new process's CPU counts from zero
        await sandbox.renew();
      },
      runSequence(sequence: CallRequest[], options) {
        requests++; // one message
        if (record) for (const request of sequence) recorded.push(JSON.stringify(request));
        return sandbox.runSequence(sequence, options).map((answer) =>
          answer.then((result) => {
            if ('ms' in result) dispatchMs += result.ms;
            return result;
          }),
        );
      },
    };
    const cpuMs = () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1000;
    };
    let mark = { grader: cpuMs(), child: 0, requests: 0, dispatch: 0 };
    const startGrader = mark.grader;
    let first = true;
    let startChild = 0;
    await runBattery(counting, checks, {
      seed: 1234 + run,
      loadTrainData: async () => train,
      onResult: (result) => {
        const now = { grader: cpuMs(), child: childMs(), requests, dispatch: dispatchMs };
        if (first) startChild = now.child; // the first check includes the child's start-up
        first = false;
        const figures = perCheck.get(result.id) ?? [];
        figures.push({
          requests: now.requests - mark.requests,
          graderCpuMs: now.grader - mark.grader,
          childCpuMs: now.child - mark.child,
          dispatchMs: now.dispatch - mark.dispatch,
        });
        perCheck.set(result.id, figures);
        mark = now;
      },
    });
    totals.push({ startMs: startChild, childCpuMs: childMs(), graderCpuMs: cpuMs() - startGrader });
    await sandbox.close();
  }
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileFile!, JSON.stringify(profile));
    session.disconnect();
  }
  if (childProfileDir) await replayProfiled(recorded, join(root, 'work', 'submission', 'rnn.js'), childProfileDir);
  rmSync(root, { recursive: true, force: true });

  const col = (text: string | number, width: number) => String(text).padStart(width);
  console.log(
    `${'check'.padEnd(28)}${col('messages', 9)}${col('grader ms', 11)}${col('child ms', 10)}${col('in dispatch', 12)}`,
  );
  const sums = { requests: 0, grader: 0, child: 0, dispatch: 0 };
  for (const [id, figures] of perCheck) {
    const m = (pick: (f: CheckFigures) => number) => median(figures.map(pick));
    const row = {
      requests: m((f) => f.requests),
      grader: m((f) => f.graderCpuMs),
      child: m((f) => f.childCpuMs),
      dispatch: m((f) => f.dispatchMs),
    };
    if (id !== 'train.converges') {
      sums.requests += row.requests;
      sums.grader += row.grader;
      sums.child += row.child;
      sums.dispatch += row.dispatch;
    }
    console.log(
      `${id.padEnd(28)}${col(row.requests, 9)}${col(row.grader.toFixed(0), 11)}${col(row.child.toFixed(0), 10)}${col(row.dispatch.toFixed(0), 12)}`,
    );
  }
  console.log(
    `${'all but train.converges'.padEnd(28)}${col(sums.requests, 9)}${col(sums.grader.toFixed(0), 11)}${col(sums.child.toFixed(0), 10)}${col(sums.dispatch.toFixed(0), 12)}`,
  );
  console.log(
    `whole battery (median of ${runs}): grader ${median(totals.map((t) => t.graderCpuMs)).toFixed(0)} ms, child ${median(totals.map((t) => t.childCpuMs)).toFixed(0)} ms (of which up to the first verdict, start-up included: ${median(totals.map((t) => t.startMs)).toFixed(0)} ms)`,
  );
}

void main();

/** Sends each request and waits for its answer, as the executor does, to a runner under --cpu-prof. */
async function replayProfiled(requests: string[], entry: string, profileDir: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, getSandboxRuntime().runnerPath],
    {
      stdio: ['pipe', 'inherit', 'inherit', 'pipe'],
    },
  );
  const channel = child.stdio[3] as NodeJS.ReadableStream;
  let buffered = '';
  let waiting: ((line: string) => void) | undefined;
  channel.setEncoding('utf8');
  channel.on('data', (chunk: string) => {
    buffered += chunk;
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.includes('"response"')) waiting?.(line);
    }
  });
  child.stdin!.write(JSON.stringify({ nonce: 'profile', entry }) + '\n');
  for (let id = 0; id < requests.length; id++) {
    const answered = new Promise<string>((resolve) => (waiting = resolve));
    child.stdin!.write(`{"id":${id},"request":${requests[id]}}\n`);
    await answered;
  }
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.stdin!.end();
  await exited;
  console.log(`child profile of ${requests.length} requests written to ${profileDir}`);
}
