import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { safeFileName, type FileAck, type FileChunk, type FileEnd, type FileHeader } from './transfer-protocol';

/** The outcome of one incoming file. */
export type FileOutcome =
  | { ok: true; name: string; path: string; size: number; sha256: string }
  | { ok: false; name: string; reason: string };

interface Incoming {
  header: FileHeader;
  name: string;
  fd: number;
  tmpPath: string;
  hash: Hash;
  received: number;
  nextIndex: number;
}

/**
 * The receiving side's state machine: each file goes to a hidden temporary file in the target
 * folder, is hashed as it arrives, and is renamed into place only when its size and SHA-256
 * match. Any failure removes the temporary file.
 */
export class IncomingFiles {
  private readonly files = new Map<string, Incoming>();

  constructor(
    private readonly dir: string,
    private readonly onProgress: (name: string, received: number, size: number) => void = () => undefined,
  ) {}

  get inProgress(): number {
    return this.files.size;
  }

  /** Starts a file; returns an outcome at once only when it is refused. */
  begin(header: FileHeader): FileOutcome | undefined {
    const name = safeFileName(header.name);
    if (!name) return { ok: false, name: header.name, reason: `refused unsafe file name '${header.name}'` };
    const tmpPath = path.join(this.dir, `.${name}.${header.id}.part`);
    const fd = openSync(tmpPath, 'wx');
    this.files.set(header.id, { header, name, fd, tmpPath, hash: createHash('sha256'), received: 0, nextIndex: 0 });
    this.onProgress(name, 0, header.size);
    return undefined;
  }

  /** Writes a chunk; an outcome when it made the transfer fail. Chunks of unknown files are ignored. */
  chunk(chunk: FileChunk): FileOutcome | undefined {
    const file = this.files.get(chunk.id);
    if (!file) return undefined;
    if (chunk.index !== file.nextIndex) return this.fail(file, `chunk ${chunk.index} arrived where chunk ${file.nextIndex} was expected (lost or reordered data)`);
    if (file.received + chunk.data.byteLength > file.header.size) return this.fail(file, `more data than the announced ${file.header.size} bytes`);
    writeSync(file.fd, chunk.data);
    file.hash.update(chunk.data);
    file.received += chunk.data.byteLength;
    file.nextIndex += 1;
    this.onProgress(file.name, file.received, file.header.size);
    return undefined;
  }

  /** Verifies and renames into place; undefined for unknown files. */
  end(end: FileEnd): FileOutcome | undefined {
    const file = this.files.get(end.id);
    if (!file) return undefined;
    const { header } = file;
    if (file.received !== header.size || end.chunks !== file.nextIndex) {
      return this.fail(file, `truncated: got ${file.received} of ${header.size} bytes in ${file.nextIndex} of ${end.chunks} chunks`);
    }
    const sha256 = file.hash.digest('hex');
    if (sha256 !== header.sha256) return this.fail(file, `checksum mismatch: expected sha256 ${header.sha256}, got ${sha256}`);
    this.files.delete(end.id);
    closeSync(file.fd);
    const finalPath = path.join(this.dir, file.name);
    renameSync(file.tmpPath, finalPath);
    return { ok: true, name: file.name, path: finalPath, size: header.size, sha256 };
  }

  /** Fails every unfinished file (connection lost, timeout, Ctrl-C). */
  abortAll(reason: string): Array<{ id: string; outcome: FileOutcome }> {
    return [...this.files.values()].map((file) => ({ id: file.header.id, outcome: this.fail(file, reason) }));
  }

  /** The acknowledgement sent back for an outcome. */
  static ack(id: string, outcome: FileOutcome): FileAck {
    return outcome.ok ? { kind: 'file-ack', id, name: outcome.name, ok: true } : { kind: 'file-ack', id, name: outcome.name, ok: false, reason: outcome.reason };
  }

  private fail(file: Incoming, reason: string): FileOutcome {
    this.files.delete(file.header.id);
    closeSync(file.fd);
    try {
      unlinkSync(file.tmpPath);
    } catch {
      // already gone: nothing partial is left either way
    }
    return { ok: false, name: file.name, reason };
  }
}
