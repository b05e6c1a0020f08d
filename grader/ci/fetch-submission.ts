/**
 * Downloads one commit of a student repository as GitHub's zip archive, as bytes only: nothing in
 * it is run or unpacked here. The grader unpacks it later (grader/discover.ts: no paths outside
 * the archive, no symbolic links, bounded size) inside the grading job, whose runner holds no
 * token. The archive holds one wrapper folder (`owner-repo-sha/`) with `rnn.ts` in it, which the
 * grader accepts as one submission named after the zip.
 */
import { createWriteStream, rmSync } from 'node:fs';
import { once } from 'node:events';
import type { GitHub, RepoRef } from './github';

/** A student repository is the handout plus rnn.ts: far below this. */
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;

export class FetchError extends Error {}

/** Writes the zip of `sha` to `file`; throws FetchError (and leaves no file) above `maxBytes`. */
export async function downloadCommitZip(
  github: GitHub,
  repo: RepoRef,
  sha: string,
  file: string,
  maxBytes = MAX_ZIP_BYTES,
): Promise<number> {
  if (!/^[0-9a-f]{40}$/.test(sha)) throw new FetchError(`not a commit id: ${JSON.stringify(sha)}`);
  const response = await github.request('GET /repos/{owner}/{repo}/zipball/{ref}', {
    owner: repo.owner,
    repo: repo.repo,
    ref: sha,
    // The body as a stream, so that the size limit holds while downloading.
    request: { parseSuccessResponseBody: false },
  });
  const body = response.data as ReadableStream<Uint8Array> | null;
  if (!body) throw new FetchError('GitHub sent an empty archive');
  const out = createWriteStream(file);
  let bytes = 0;
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) throw new FetchError(`the archive is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    return bytes;
  } catch (error) {
    out.destroy();
    rmSync(file, { force: true });
    throw error;
  }
}
