// Runs one conformance case: the raw peer writes the case's frames to the side under test
// (which echoes every message), reads what comes back, and lists every difference.
import type { WebSocketCloseEvent } from 'rxws';
import { closeCodeOf, closePayload, Opcode, type Frame, type RawPeer } from '../helpers/raw-peer';
import type { ConformanceCase } from './cases';

/** rxws's side of one connection, echoing every message back. */
export interface Opened {
  /** The raw peer connected to it. */
  peer: RawPeer;
  /** Its own close event (undefined if it never emitted one). */
  closeEvent: Promise<WebSocketCloseEvent | undefined>;
  /** Tears the rxws side down if the case left it open. */
  dispose(): void;
}

/** The side under test: rxws's client against a raw server, or rxws's server against a raw client. */
export interface Target {
  readonly name: 'client' | 'server';
  open(options: { maxPayload?: number }): Promise<Opened>;
}

export interface CaseResult {
  target: Target['name'];
  id: string;
  group: string;
  title: string;
  problems: string[];
}

const READ_TIMEOUT_MS = 3000;

const show = (b: Buffer): string => (b.length > 24 ? `${b.length} bytes` : JSON.stringify(b.toString('latin1')));

function withDeadline<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Frames must go in the right direction: masked from a client, plain from a server, no RSV bits. */
function directionProblems(frames: Frame[], target: Target['name']): string[] {
  const problems: string[] = [];
  for (const f of frames) {
    if (f.masked !== (target === 'client')) problems.push(`a frame from the ${target} was ${f.masked ? '' : 'not '}masked`);
    if (f.rsv !== 0) problems.push(`a frame had RSV bits ${f.rsv}`);
    if (!f.fin) problems.push('a frame was fragmented');
  }
  return problems;
}

export async function runCase(c: ConformanceCase, target: Target): Promise<CaseResult> {
  const problems: string[] = [];
  const opened = await target.open({ maxPayload: c.maxPayload });
  const { peer } = opened;
  try {
    await peer.send(c.send, c.chunkSize);
    const peerSentClose = c.send.some((f) => f.opcode === Opcode.CLOSE);
    const got: Frame[] = [];
    let closeFrame: Frame | undefined;
    let weSentClose = peerSentClose;
    // Read the expected answers, then (if nobody is closing yet) start a normal close.
    while (!closeFrame) {
      if (got.length >= c.expect.length && !weSentClose && c.close === 1000) {
        weSentClose = true;
        await peer.send([{ opcode: Opcode.CLOSE, payload: closePayload(1000) }]);
      }
      const frame = await peer.next(READ_TIMEOUT_MS);
      if (!frame) break;
      if (frame.opcode === Opcode.CLOSE) closeFrame = frame;
      else got.push(frame);
    }
    if (got.length !== c.expect.length) problems.push(`expected ${c.expect.length} frames before the close, got ${got.length}`);
    c.expect.forEach((want, i) => {
      const f = got[i];
      if (!f) return;
      const payload = Buffer.from(want.payload);
      if (f.opcode !== want.opcode || !f.payload.equals(payload)) {
        problems.push(`frame ${i + 1}: expected opcode ${want.opcode} ${show(payload)}, got opcode ${f.opcode} ${show(f.payload)}`);
      }
    });
    if (!closeFrame) problems.push(`expected a close frame with ${c.close}, got none`);
    else if (closeCodeOf(closeFrame) !== c.close) problems.push(`expected close code ${c.close}, got ${closeCodeOf(closeFrame)}`);
    const all = closeFrame ? [...got, closeFrame] : got;
    problems.push(...directionProblems(all, target.name), ...(c.check?.(all) ?? []));
    // Finish the closing handshake and end TCP, as a peer would.
    if (closeFrame && !weSentClose) await peer.send([{ opcode: Opcode.CLOSE, payload: closeFrame.payload.subarray(0, 2) }]);
    peer.end();
    const event = await withDeadline(opened.closeEvent, READ_TIMEOUT_MS, undefined);
    if (!event) problems.push(`the ${target.name} emitted no close event`);
    else if (event.code !== c.close) problems.push(`the ${target.name}'s close event says ${event.code} (${event.reason}), expected ${c.close}`);
    await withDeadline(peer.ended, READ_TIMEOUT_MS, undefined);
  } finally {
    peer.destroy();
    opened.dispose();
  }
  return { target: target.name, id: c.id, group: c.group, title: c.title, problems };
}
