import { createHash, randomUUID, type Hash } from 'node:crypto';
import { closeSync, linkSync, lstatSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Djb2 } from './ix-pdu';
import { safeFileName, type FileAck, type FileChunk, type FileEnd, type FileHeader } from './transfer-protocol';

/** The outcome of one incoming file. */
export type FileOutcome =
  | { ok: true; name: string; path: string; size: number; sha256: string; djb2?: string }
  | { ok: false; name: string; reason: string };

/** How many files may be in progress at once; more are refused (each holds a file descriptor). */
const MAX_FILES_IN_PROGRESS = 16;

/** Longest file name in bytes most file systems take (NAME_MAX). */
const NAME_MAX_BYTES = 255;

/** What a receiver does when a file of the same name exists. */
export interface IncomingFilesOptions {
  /** Replace an existing file (never a folder); false (default) refuses the file. */
  overwrite?: boolean;
  onProgress?(name: string, received: number, size: number): void;
}

interface Incoming {
  header: FileHeader;
  name: string;
  fd: number;
  tmpPath: string;
  hash: Hash;
  received: number;
  nextIndex: number;
}

/** A Node errno error's code, or undefined. */
function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A file-system failure in words the sender can act on. */
function fsReason(name: string, err: unknown): string {
  switch (errnoCode(err)) {
    case 'EEXIST':
      return `'${name}' already exists on the receiver (it runs without --overwrite)`;
    case 'EISDIR':
      return `'${name}' is a folder on the receiver`;
    case 'ENAMETOOLONG':
      return `file name '${name}' is too long for the receiver's file system`;
    case 'EMFILE':
    case 'ENFILE':
      return 'the receiver has too many open files: try again later';
    case 'ENOSPC':
      return 'the receiver is out of disk space';
    case 'EACCES':
    case 'EPERM':
      return `the receiver may not write '${name}' in its folder`;
    default:
      return `the receiver could not write '${name}': ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * The receiving side's state machine: each file goes to a hidden temporary file in the target
 * folder, is hashed as it arrives, and is moved into place only when its size and checksum
 * match, and (unless `overwrite`) only when no file of that name exists. Every refusal and
 * failure is an outcome with a reason for the sender, never a throw, and removes the temporary
 * file.
 */
export class IncomingFiles {
  private readonly files = new Map<string, Incoming>();
  private readonly overwrite: boolean;
  private readonly onProgress: (name: string, received: number, size: number) => void;

  constructor(
    private readonly dir: string,
    options: IncomingFilesOptions = {},
  ) {
    this.overwrite = options.overwrite === true;
    this.onProgress = options.onProgress ?? (() => undefined);
  }

  get inProgress(): number {
    return this.files.size;
  }

  /** Starts a chunked file; returns an outcome at once only when it is refused. */
  begin(header: FileHeader): FileOutcome | undefined {
    if (this.files.has(header.id)) return { ok: false, name: header.name, reason: `a transfer with id ${header.id} is already in progress` };
    if (this.files.size >= MAX_FILES_IN_PROGRESS) {
      return { ok: false, name: header.name, reason: `the receiver already has ${MAX_FILES_IN_PROGRESS} files in progress: send fewer at once` };
    }
    const name = this.checkName(header.name);
    if (typeof name !== 'string') return name;
    const tmpPath = this.tmpPath();
    let fd: number;
    try {
      fd = openSync(tmpPath, 'wx', 0o600);
    } catch (err) {
      return { ok: false, name, reason: fsReason(name, err) };
    }
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
    try {
      writeSync(file.fd, chunk.data);
    } catch (err) {
      return this.fail(file, fsReason(file.name, err));
    }
    file.hash.update(chunk.data);
    file.received += chunk.data.byteLength;
    file.nextIndex += 1;
    this.onProgress(file.name, file.received, file.header.size);
    return undefined;
  }

  /** Verifies and moves into place; undefined for unknown files. */
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
    return this.place(file.tmpPath, file.name, { size: header.size, sha256 });
  }

  /**
   * A whole file in one message (IXWebSocket's `send` PDU), checked against its djb2 checksum;
   * written to a temporary file and moved into place like a chunked one.
   */
  whole(announcedName: string, content: Uint8Array, djb2Expected: string): FileOutcome {
    const name = this.checkName(announcedName);
    if (typeof name !== 'string') return name;
    const djb2 = new Djb2().update(content).digest();
    if (djb2 !== djb2Expected) return { ok: false, name, reason: `checksum mismatch: expected djb2 ${djb2Expected || '(none)'}, got ${djb2}` };
    const tmpPath = this.tmpPath();
    try {
      const fd = openSync(tmpPath, 'wx', 0o600);
      try {
        writeSync(fd, content);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      removeQuietly(tmpPath);
      return { ok: false, name, reason: fsReason(name, err) };
    }
    return this.place(tmpPath, name, { size: content.byteLength, sha256: createHash('sha256').update(content).digest('hex'), djb2 });
  }

  /** Fails every unfinished file (connection lost, timeout, Ctrl-C). */
  abortAll(reason: string): Array<{ id: string; outcome: FileOutcome }> {
    return [...this.files.values()].map((file) => ({ id: file.header.id, outcome: this.fail(file, reason) }));
  }

  /** The acknowledgement sent back for an outcome. */
  static ack(id: string, outcome: FileOutcome): FileAck {
    return outcome.ok ? { kind: 'file-ack', id, name: outcome.name, ok: true } : { kind: 'file-ack', id, name: outcome.name, ok: false, reason: outcome.reason };
  }

  /** The safe last path segment of an announced name, or the refusal. */
  private checkName(announced: string): string | Extract<FileOutcome, { ok: false }> {
    const name = safeFileName(announced);
    if (!name) return { ok: false, name: announced, reason: `refused unsafe file name '${announced}'` };
    if (Buffer.byteLength(name) > NAME_MAX_BYTES) return { ok: false, name, reason: `file name is ${Buffer.byteLength(name)} bytes, more than the ${NAME_MAX_BYTES} a file system takes` };
    const existing = this.existing(name);
    if (existing === 'folder') return { ok: false, name, reason: fsReason(name, { code: 'EISDIR' }) };
    if (existing === 'file' && !this.overwrite) return { ok: false, name, reason: fsReason(name, { code: 'EEXIST' }) };
    return name;
  }

  private existing(name: string): 'folder' | 'file' | undefined {
    try {
      return lstatSync(path.join(this.dir, name)).isDirectory() ? 'folder' : 'file';
    } catch {
      return undefined;
    }
  }

  /** A temporary name of the receiver's own making: the peer's id and name never reach the file system before the checks. */
  private tmpPath(): string {
    return path.join(this.dir, `.rxws-${randomUUID()}.part`);
  }

  /** Moves a verified temporary file to its name: a hard link, which never replaces a file, unless `overwrite`. */
  private place(tmpPath: string, name: string, sums: { size: number; sha256: string; djb2?: string }): FileOutcome {
    const finalPath = path.join(this.dir, name);
    try {
      if (this.overwrite && this.existing(name) !== 'folder') renameSync(tmpPath, finalPath);
      else {
        linkSync(tmpPath, finalPath);
        unlinkSync(tmpPath);
      }
    } catch (err) {
      removeQuietly(tmpPath);
      return { ok: false, name, reason: fsReason(name, errnoCode(err) === 'EEXIST' && this.existing(name) === 'folder' ? { code: 'EISDIR' } : err) };
    }
    return { ok: true, name, path: finalPath, ...sums };
  }

  private fail(file: Incoming, reason: string): FileOutcome {
    this.files.delete(file.header.id);
    closeSync(file.fd);
    removeQuietly(file.tmpPath);
    return { ok: false, name: file.name, reason };
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone: nothing partial is left either way
  }
}
