/**
 * Reading one file of a submission without trusting it: the path must name a regular file itself
 * (never through a symbolic link, never a device, FIFO or socket) of bounded size. The file is
 * opened non-blocking and without following a final link, then checked on the open descriptor, so
 * that a FIFO cannot block the grader's thread and `/dev/zero` cannot fill its memory.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** A submission's file the grader refuses to read (not a regular file, or too large). */
export class UnreadableFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableFileError';
  }
}

export function readRegularFile(path: string | Buffer, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP')
      throw new UnreadableFileError('it is a symbolic link (not followed)');
    throw error;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new UnreadableFileError('it is not a regular file (a device, FIFO or socket)');
    if (info.size > maxBytes) throw new UnreadableFileError(`it is larger than ${maxBytes} bytes`);
    const buffer = Buffer.alloc(info.size);
    let done = 0;
    while (done < info.size) {
      const read = readSync(fd, buffer, done, info.size - done, done);
      if (read === 0) break;
      done += read;
    }
    return buffer.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** The same, as UTF-8 text. */
export function readRegularText(path: string | Buffer, maxBytes: number): string {
  return readRegularFile(path, maxBytes).toString('utf8');
}
