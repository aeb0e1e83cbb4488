// Broadcast that scales: each message is framed once, frames are queued per client and
// written once per event-loop turn per socket, with the same bytes shared by every client
// that gets the same batch.
import type { Duplex } from 'node:stream';
import * as ws from 'ws';
import { OPEN } from '../core/constants';
import type { SendData } from '../core/events';

interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
/**
 * ws's frame encoder (RFC 6455 §5.2); exported by ws at runtime, missing from @types/ws. Read as a
 * named export: ws's ESM wrapper carries it only there (its default export has no `Sender`).
 */
const { Sender } = ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };

const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
/** Payloads up to this size are copied behind their header once, so a client's batch is one buffer. */
const MERGE_LIMIT = 64 * 1024;
/** Batches up to this size are joined into one buffer per socket write; larger ones are written corked. */
const CONCAT_LIMIT = 1024 * 1024;

/** What the batcher needs from a connection; the queue state lives on it to avoid a map lookup. */
export interface BatchTarget {
  /** Index of the first queued frame of the current batch, -1 when none is queued. */
  batchFrom: number;
  batchCount: number;
  /** The queued frames when they are not one contiguous run of the batch (a filter skipped some). */
  batchList: Buffer[] | undefined;
  /** The network socket, written directly: the connection has no extension, so frames go as is. */
  readonly stream: Duplex;
  readonly readyState: number;
  readonly bufferedAmount: number;
  /** Closes the connection with 1008 "client too slow". */
  tooSlow(): void;
}

function toBuffer(data: SendData): Buffer {
  if (typeof data === 'string') return Buffer.from(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** The frames of one unfragmented, unmasked message: one buffer when small, else header and payload. */
export function encodeFrames(data: SendData): Buffer[] {
  const payload = toBuffer(data);
  const opcode = typeof data === 'string' ? OPCODE_TEXT : OPCODE_BINARY;
  const frames = Sender.frame(payload, { fin: true, opcode, mask: false, readOnly: true, rsv1: false });
  return frames.length === 2 && payload.length <= MERGE_LIMIT ? [Buffer.concat(frames)] : frames;
}

function totalLength(frames: readonly Buffer[], from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n += frames[i].length;
  return n;
}

function writeAll(stream: Duplex, frames: readonly Buffer[], from: number, to: number): void {
  if (to - from === 1) {
    stream.write(frames[from]);
  } else if (totalLength(frames, from, to) <= CONCAT_LIMIT) {
    stream.write(Buffer.concat(frames.slice(from, to)));
  } else {
    stream.cork();
    for (let i = from; i < to; i++) stream.write(frames[i]);
    stream.uncork();
  }
}

/** Queues broadcast frames per client and writes them once per event-loop turn. */
export class FrameBatcher {
  private frames: Buffer[] = [];
  private dirty: BatchTarget[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  /** The whole batch as one buffer, made once per turn when many clients get all of it. */
  private whole: Buffer | undefined;

  constructor(private readonly maxBufferedAmount: number) {}

  /** Queues `frames` for `target` (already known to be open and extension-free). */
  enqueue(target: BatchTarget, frames: readonly Buffer[], from: number): void {
    if (target.batchFrom === -1 && target.batchList === undefined) {
      target.batchFrom = from;
      target.batchCount = frames.length;
      this.dirty.push(target);
    } else if (target.batchList === undefined && target.batchFrom + target.batchCount === from) {
      target.batchCount += frames.length;
    } else {
      const list = (target.batchList ??= this.frames.slice(target.batchFrom, target.batchFrom + target.batchCount));
      for (const f of frames) list.push(f);
    }
  }

  /** Adds a message's frames to this turn's batch; returns the index of its first frame. */
  add(frames: readonly Buffer[]): number {
    const from = this.frames.length;
    for (const f of frames) this.frames.push(f);
    this.whole = undefined;
    this.scheduled ??= setImmediate(this.flushAll);
    return from;
  }

  /** Writes what is queued for `target` now (before a direct send, so order is kept). */
  flush(target: BatchTarget): void {
    const { batchFrom, batchCount, batchList } = target;
    if (batchFrom === -1 && batchList === undefined) return;
    target.batchFrom = -1;
    target.batchCount = 0;
    target.batchList = undefined;
    // Frames after a close frame would break the protocol (RFC 6455 §5.5.1): drop them.
    if (target.readyState !== OPEN) return;
    if (target.bufferedAmount > this.maxBufferedAmount) {
      target.tooSlow();
      return;
    }
    if (batchList !== undefined) {
      writeAll(target.stream, batchList, 0, batchList.length);
    } else if (batchFrom === 0 && batchCount === this.frames.length && batchCount > 1) {
      this.whole ??= totalLength(this.frames, 0, batchCount) <= CONCAT_LIMIT ? Buffer.concat(this.frames) : undefined;
      if (this.whole !== undefined) target.stream.write(this.whole);
      else writeAll(target.stream, this.frames, 0, batchCount);
    } else {
      writeAll(target.stream, this.frames, batchFrom, batchFrom + batchCount);
    }
  }

  private readonly flushAll = (): void => {
    this.scheduled = undefined;
    const dirty = this.dirty;
    this.dirty = [];
    for (const target of dirty) this.flush(target);
    this.frames = [];
    this.whole = undefined;
  };

  /** Writes everything queued now (before the server closes its connections). */
  flushNow(): void {
    if (this.scheduled === undefined) return;
    clearImmediate(this.scheduled);
    this.flushAll();
  }
}
