/**
 * A bounded parallel pool, and the split of a batch into shards. Neither decides anything about a
 * result: the same submissions give the same reports in the same order (sorted by id) whatever
 * the number of jobs, the order they finish in, or the shard they ran in.
 */
import { compareIds } from './discover';

export interface PoolOptions<T, R> {
  /** At most this many `work` calls run at once (at least 1). */
  jobs: number;
  /** Called as each item finishes (in finishing order), e.g. for progress output. */
  onDone?: (result: R, item: T, index: number) => void;
  /** Turns a throw of `work` into a result; without it the pool rejects once everything has settled. */
  onError?: (error: unknown, item: T, index: number) => R;
}

/** Runs `work` over `items` with at most `jobs` in flight; results come back in the items' order. */
export async function runPool<T, R>(
  items: readonly T[],
  work: (item: T, index: number) => Promise<R>,
  options: PoolOptions<T, R>,
): Promise<R[]> {
  const jobs = Math.max(1, Math.floor(options.jobs) || 1);
  const results = new Array<R>(items.length);
  const failures: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      let result: R;
      try {
        result = await work(item, index);
      } catch (error) {
        if (!options.onError) {
          failures.push(error);
          continue;
        }
        result = options.onError(error, item, index);
      }
      results[index] = result;
      options.onDone?.(result, item, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
  return results;
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Parses `--shard I/N` (1 ≤ I ≤ N). */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new Error(`--shard must look like I/N (e.g. 2/4), got "${text}"`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count)
    throw new Error(`--shard ${text}: I must be between 1 and N, and N at least 1`);
  return { index, count };
}

/**
 * The items of one shard: positions index-1, index-1+count, … of the batch sorted by id. Every
 * shard sees the same sorted list, so the shards are disjoint and together hold the whole batch.
 */
export function selectShard<T extends { id: string }>(items: readonly T[], shard: Shard): T[] {
  const sorted = [...items].sort((a, b) => compareIds(a.id, b.id));
  return sorted.filter((_, position) => position % shard.count === shard.index - 1);
}

/** How many of `total` submissions shard `index` of `count` holds. */
export function shardSize(total: number, shard: Shard): number {
  return Math.max(0, Math.ceil((total - (shard.index - 1)) / shard.count));
}
