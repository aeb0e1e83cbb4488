// Runs one conformance case: the raw peer writes the case's frames to the side under test
// (which echoes every message), reads what comes back, and lists every difference.
import type { PerMessageDeflateOptions, WebSocketCloseEvent } from 'rxws';
import { closeCodeOf, closePayload, headerValue, Opcode, type Frame, type FrameSpec, type RawPeer } from '../helpers/raw-peer';
import type { ConformanceCase, FailFast, Group } from './cases';

/** rxws's side of one connection, echoing every message back. */
export interface Opened {
  /** The raw peer connected to it. */
  peer: RawPeer;
  /** Its own close event (undefined if it never emitted one). */
  closeEvent: Promise<WebSocketCloseEvent | undefined>;
  /** Tears the rxws side down if the case left it open. */
  dispose(): void;
  /** The reason of connect()'s error, once it errs (client side only). */
  failure?: Promise<string>;
}

/** permessage-deflate on both ends of a case (RFC 7692). */
export interface DeflateSetup {
  /** The Sec-WebSocket-Extensions offer the raw client sends to serve(). */
  offer: string;
  /** How the raw server answers connect()'s offer: the header to send back, or undefined to decline. */
  answer(offer: string | undefined): string | undefined;
  /** serve()'s perMessageDeflate option. */
  server: PerMessageDeflateOptions;
  /** connect()'s perMessageDeflate option. */
  client: PerMessageDeflateOptions | false;
}

export interface OpenOptions {
  maxPayload?: number;
  deflate?: DeflateSetup;
}

/** The side under test: rxws's client against a raw server, or rxws's server against a raw client. */
export interface Target {
  readonly name: 'client' | 'server';
  open(options: OpenOptions): Promise<Opened>;
}

/**
 * Autobahn's verdicts: OK (as the RFC asks), NON-STRICT (allowed, but not the strictest reading,
 * e.g. invalid UTF-8 failed at the end of the message rather than at the bad fragment), FAILED.
 */
export type Outcome = 'OK' | 'NON-STRICT' | 'FAILED';

export interface CaseResult {
  target: Target['name'];
  id: string;
  group: Group;
  title: string;
  outcome: Outcome;
  /** What went wrong (FAILED), or why the case is NON-STRICT. */
  problems: string[];
}

export const READ_TIMEOUT_MS = 3000;
/** How long a chopped frame gets to be failed before its last chop (Autobahn waits 1 s). */
const FAIL_FAST_WAIT_MS = 300;

const show = (b: Buffer): string => (b.length > 24 ? `${b.length} bytes` : JSON.stringify(b.toString('latin1')));

export function withDeadline<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Frames must go in the right direction: masked from a client, plain from a server, no RSV bits. */
export function directionProblems(frames: Frame[], target: Target['name'], rsvAllowed = 0): string[] {
  const problems: string[] = [];
  for (const f of frames) {
    if (f.masked !== (target === 'client')) problems.push(`a frame from the ${target} was ${f.masked ? '' : 'not '}masked`);
    if ((f.rsv & ~rsvAllowed) !== 0) problems.push(`a frame had RSV bits ${f.rsv}`);
  }
  return problems;
}

/**
 * Ends a case as a peer would: answers the close frame (unless the raw peer sent the first
 * one), half-closes TCP, then checks the close event rxws reported.
 */
export async function finishClose(opened: Opened, target: Target['name'], closeFrame: Frame | undefined, weSentClose: boolean, code: number): Promise<string[]> {
  const { peer } = opened;
  const problems: string[] = [];
  if (closeFrame && !weSentClose) await peer.send([{ opcode: Opcode.CLOSE, payload: closeFrame.payload.subarray(0, 2) }]);
  peer.end();
  const event = await withDeadline(opened.closeEvent, READ_TIMEOUT_MS, undefined);
  if (!event) problems.push(`the ${target} emitted no close event`);
  else if (event.code !== code) problems.push(`the ${target}'s close event says ${event.code} (${event.reason}), expected ${code}`);
  await withDeadline(peer.ended, READ_TIMEOUT_MS, undefined);
  return problems;
}

function closeProblems(closeFrame: Frame | undefined, code: number): string[] {
  if (!closeFrame) return [`expected a close frame with ${code}, got none`];
  return closeCodeOf(closeFrame) === code ? [] : [`expected close code ${code}, got ${closeCodeOf(closeFrame)}`];
}

async function framesCase(c: ConformanceCase, opened: Opened, target: Target['name']): Promise<string[]> {
  const { peer } = opened;
  const problems: string[] = [];
  const write = async (frames: FrameSpec[]): Promise<void> => {
    if (c.framewise) for (const f of frames) await peer.send([f]);
    else await peer.send(frames, c.chunkSize);
  };
  const got: Frame[] = [];
  let closeFrame: Frame | undefined;
  if (c.pauseAfter === undefined) await write(c.send);
  else {
    // Part of the message, then wait for the first answer (Autobahn waits a second), then the rest.
    await write(c.send.slice(0, c.pauseAfter));
    const first = await peer.next(READ_TIMEOUT_MS);
    if (first?.opcode === Opcode.CLOSE) closeFrame = first;
    else if (first) got.push(first);
    await write(c.send.slice(c.pauseAfter));
  }
  const peerSentClose = c.send.some((f) => f.opcode === Opcode.CLOSE);
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
  problems.push(...closeProblems(closeFrame, c.close));
  const all = closeFrame ? [...got, closeFrame] : got;
  problems.push(...directionProblems(all, target), ...(c.check?.(all) ?? []));
  for (const f of all) if (!f.fin) problems.push('a frame was fragmented');
  problems.push(...(await finishClose(opened, target, closeFrame, weSentClose, c.close)));
  return problems;
}

/** The three writes of a fail-fast case: three frames, or one frame cut in three chops. */
function failFastWrites(peer: RawPeer, f: FailFast): Buffer[] {
  const [a, b, z] = f.parts;
  if (f.split === 'frames') {
    return [
      peer.encode({ opcode: Opcode.TEXT, payload: a, fin: false }),
      peer.encode({ opcode: Opcode.CONTINUATION, payload: b, fin: false }),
      peer.encode({ opcode: Opcode.CONTINUATION, payload: z }),
    ];
  }
  const frame = peer.encode({ opcode: Opcode.TEXT, payload: Buffer.concat([a, b, z]) });
  const end2 = frame.length - z.length;
  const end1 = end2 - b.length;
  return [frame.subarray(0, end1), frame.subarray(end1, end2), frame.subarray(end2)];
}

/**
 * Invalid UTF-8 in the middle of a message (Autobahn 6.4): OK when the side under test fails
 * the connection at the bad part, NON-STRICT when only once the message is complete. With
 * frames, a ping after the bad frame tells which: its pong means the frame was read and let
 * through. Within one frame nothing can be asked, so the last chop waits FAIL_FAST_WAIT_MS.
 */
async function failFastCase(f: FailFast, opened: Opened, target: Target['name']): Promise<{ problems: string[]; nonStrict?: string }> {
  const { peer } = opened;
  const [first, second, last] = failFastWrites(peer, f);
  await peer.write(first);
  await peer.write(second);
  if (f.split === 'frames') {
    await peer.send([{ opcode: Opcode.PING, payload: 'probe' }]);
    const frame = await peer.next(READ_TIMEOUT_MS);
    if (frame?.opcode === Opcode.CLOSE) return finishFailFast(opened, target, frame, undefined);
    if (frame?.opcode !== Opcode.PONG) return { problems: [`expected a close or a pong, got ${frame ? `opcode ${frame.opcode}` : 'nothing'}`] };
  } else {
    const frame = await peer.next(FAIL_FAST_WAIT_MS);
    if (frame) return finishFailFast(opened, target, frame, undefined);
  }
  await peer.write(last);
  const frame = await peer.next(READ_TIMEOUT_MS);
  if (frame && frame.opcode !== Opcode.CLOSE) return { problems: [`expected a close frame with 1007, got opcode ${frame.opcode}`] };
  return finishFailFast(opened, target, frame, 'invalid UTF-8 is found when the message is complete, not at the fragment that makes it invalid');
}

async function finishFailFast(opened: Opened, target: Target['name'], closeFrame: Frame | undefined, nonStrict: string | undefined): Promise<{ problems: string[]; nonStrict?: string }> {
  const problems = closeFrame?.opcode === Opcode.CLOSE ? closeProblems(closeFrame, 1007) : [`expected a close frame with 1007, got ${closeFrame ? `opcode ${closeFrame.opcode}` : 'none'}`];
  problems.push(...directionProblems(closeFrame ? [closeFrame] : [], target));
  problems.push(...(await finishClose(opened, target, closeFrame, false, 1007)));
  return { problems, nonStrict };
}

export async function runCase(c: ConformanceCase, target: Target): Promise<CaseResult> {
  const opened = await target.open({ maxPayload: c.maxPayload, deflate: c.deflate });
  const result = { target: target.name, id: c.id, group: c.group, title: c.title };
  try {
    if (c.deflate && !/permessage-deflate/i.test(headerValue(opened.peer.handshake.response, 'sec-websocket-extensions') ?? '')) {
      return { ...result, outcome: 'FAILED', problems: ['permessage-deflate was not agreed'] };
    }
    if (c.failFast) {
      const { problems, nonStrict } = await failFastCase(c.failFast, opened, target.name);
      if (problems.length) return { ...result, outcome: 'FAILED', problems };
      return nonStrict ? { ...result, outcome: 'NON-STRICT', problems: [nonStrict] } : { ...result, outcome: 'OK', problems: [] };
    }
    const problems = await framesCase(c, opened, target.name);
    return { ...result, outcome: problems.length ? 'FAILED' : 'OK', problems };
  } finally {
    opened.peer.destroy();
    opened.dispose();
  }
}
