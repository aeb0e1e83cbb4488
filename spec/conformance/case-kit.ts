// What a frame conformance case is, and the small helpers the case tables are written with.
// A case rebuilt from one of Autobahn's keeps its number (6.4.1, 7.9.3 …); rxws's own cases
// are numbered rx<group>.<n>.
import { closePayload, Opcode, type Frame, type FrameSpec } from '../helpers/raw-peer';
import type { DeflateSetup } from './runner';

export const GROUPS = [
  '1 Framing',
  '2 Ping/Pong',
  '3 Reserved bits',
  '4 Opcodes',
  '5 Fragmentation',
  '6 UTF-8',
  '7 Close handling',
  '9 Limits',
  '10 Masking',
  '12 Compression',
  '13 Compression parameters',
] as const;
export type Group = (typeof GROUPS)[number];

export interface ExpectedFrame {
  opcode: number;
  payload: Buffer | string;
}

/**
 * Invalid UTF-8 in the middle of a text message, written in three parts: the first valid, the
 * second making the text invalid, the third the rest (Autobahn 6.4).
 */
export interface FailFast {
  /** Three frames, or one frame written in three chops. */
  split: 'frames' | 'chops';
  parts: [Buffer, Buffer, Buffer];
}

export interface ConformanceCase {
  kind?: 'frames';
  id: string;
  group: Group;
  title: string;
  /** What the raw peer writes. */
  send: FrameSpec[];
  /** Write in chunks of this many bytes (1 = byte by byte). */
  chunkSize?: number;
  /** Write each frame on its own (Autobahn's frame-wise chops). */
  framewise?: boolean;
  /** Write the first this many frames, wait for the first expected answer, then the rest. */
  pauseAfter?: number;
  /** Frames the side under test must send before its close frame, in order. */
  expect: ExpectedFrame[];
  /** The close code it must send (and report in its own close event); 1005 = a close frame with no code. */
  close: number;
  /** maxPayload of the side under test. */
  maxPayload?: number;
  /** Extra checks on the frames it sent (close frame included); returns problems found. */
  check?: (frames: Frame[]) => string[];
  /** Replaces `send`: a message failed at its bad part (OK) or at its end (NON-STRICT). */
  failFast?: FailFast;
  /** permessage-deflate, which must be agreed before the frames are sent. */
  deflate?: DeflateSetup;
}

export const { TEXT, BINARY, CONTINUATION: CONT, PING, PONG, CLOSE } = Opcode;
export const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff));
export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');
export const text = (payload: Buffer | string, fin = true): FrameSpec => ({ opcode: TEXT, payload, fin });
export const cont = (payload: Buffer | string, fin = true): FrameSpec => ({ opcode: CONT, payload, fin });
export const close = (code: number, reason: Buffer | string = ''): FrameSpec => ({ opcode: CLOSE, payload: closePayload(code, reason) });
export const echo = (opcode: number, payload: Buffer | string): ExpectedFrame => ({ opcode, payload });

export type CaseBody = Omit<ConformanceCase, 'id' | 'group' | 'title'>;

/** A table of cases, filled in Autobahn's order. */
export class CaseList {
  readonly cases: ConformanceCase[] = [];

  /** One of rxws's own cases: numbered rx<group>.<n>. */
  add(group: Group, title: string, c: CaseBody): void {
    const n = this.cases.filter((x) => x.group === group && x.id.startsWith('rx')).length + 1;
    this.cases.push({ id: `rx${group.split(' ')[0]}.${n}`, group, title, ...c });
  }

  /** One of Autobahn's cases, under its number. */
  autobahn(id: string, group: Group, title: string, c: CaseBody): void {
    this.cases.push({ id, group, title, ...c });
  }
}
