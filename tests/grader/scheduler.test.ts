/**
 * The pool (bounded parallelism, results in a fixed order whatever the finishing order) and the
 * split into shards (disjoint, complete, independent of the input order).
 */
import { parseShard, runPool, selectShard, shardSize } from '../../grader/scheduler';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runPool', () => {
  test("never runs more than `jobs` at once, and returns results in the items' order", async () => {
    for (const jobs of [1, 2, 3, 8]) {
      let running = 0;
      let most = 0;
      const finished: number[] = [];
      const delays = [30, 5, 20, 1, 15, 2, 10, 0];
      const results = await runPool(
        delays,
        async (delay, index) => {
          running++;
          most = Math.max(most, running);
          await sleep(delay);
          running--;
          return `item ${index}`;
        },
        { jobs, onDone: (_result, _item, index) => finished.push(index) },
      );
      expect(results).toEqual(delays.map((_, i) => `item ${i}`));
      expect(most).toBe(Math.min(jobs, delays.length));
      expect([...finished].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    }
  });

  test('a throw becomes a result through onError; the rest still run', async () => {
    const results = await runPool(
      ['a', 'boom', 'c'],
      async (item) => {
        if (item === 'boom') throw new Error('exploded');
        return item.toUpperCase();
      },
      { jobs: 2, onError: (error, item) => `${item}: ${(error as Error).message}` },
    );
    expect(results).toEqual(['A', 'boom: exploded', 'C']);
  });

  test('without onError, the pool finishes every item and then rejects', async () => {
    const seen: string[] = [];
    await expect(
      runPool(
        ['a', 'boom', 'c'],
        async (item) => {
          seen.push(item);
          if (item === 'boom') throw new Error('exploded');
          return item;
        },
        { jobs: 1 },
      ),
    ).rejects.toThrow('exploded');
    expect(seen).toEqual(['a', 'boom', 'c']);
  });

  test('an empty list and silly job counts are fine', async () => {
    expect(await runPool([], async () => 1, { jobs: 4 })).toEqual([]);
    expect(await runPool([1, 2], async (x) => x * 2, { jobs: 0 })).toEqual([2, 4]);
  });
});

describe('shards', () => {
  test('parseShard reads I/N and refuses anything else', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    expect(() => parseShard('0/3')).toThrow('--shard 0/3: I must be between 1 and N, and N at least 1');
    expect(() => parseShard('4/3')).toThrow('--shard 4/3: I must be between 1 and N, and N at least 1');
    expect(() => parseShard('2')).toThrow('--shard must look like I/N (e.g. 2/4), got "2"');
    expect(() => parseShard('a/b')).toThrow('--shard must look like I/N');
  });

  test('the shards of a batch are disjoint, cover it, and do not depend on the input order', () => {
    const ids = Array.from({ length: 11 }, (_, i) => ({ id: `s${String(i).padStart(2, '0')}` }));
    const shuffled = [...ids].reverse();
    for (const count of [1, 2, 3, 5, 11, 13]) {
      const shards = Array.from({ length: count }, (_, i) => selectShard(ids, { index: i + 1, count }));
      expect(shards.map((shard, i) => selectShard(shuffled, { index: i + 1, count }))).toEqual(shards);
      expect(
        shards
          .flat()
          .map((item) => item.id)
          .sort(),
      ).toEqual(ids.map((item) => item.id));
      shards.forEach((shard, i) => expect(shard.length).toBe(shardSize(ids.length, { index: i + 1, count })));
    }
    expect(selectShard(ids, { index: 2, count: 3 }).map((item) => item.id)).toEqual(['s01', 's04', 's07', 's10']);
  });
});
