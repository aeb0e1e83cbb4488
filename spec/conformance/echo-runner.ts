// Runs one message-exchange case (groups 9, 12, 13): negotiates permessage-deflate if the case
// asks, then sends each message, waits for its echo and compares it, then closes normally.
import { closeCodeOf, closePayload, headerValue, Opcode, type Frame, type FrameSpec, type RawPeer } from '../helpers/raw-peer';
import { DeflateCodec, negotiatedAsClient, offerProblem, parseExtensions, type DeflateParams } from './deflate';
import type { EchoCase } from './echo-cases';
import { directionProblems, finishClose, READ_TIMEOUT_MS, withDeadline, type CaseResult, type Opened, type Target } from './runner';

/** The message `index` of a case: `size` bytes cut from the data, wrapping around. */
function messageAt(data: Buffer, size: number, index: number): Buffer {
  if (size === 0) return Buffer.alloc(0);
  const from = (index * size) % data.length;
  if (from + size <= data.length) return data.subarray(from, from + size);
  const parts: Buffer[] = [];
  for (let at = from, left = size; left > 0; at = 0) {
    const take = Math.min(left, data.length - at);
    parts.push(data.subarray(at, at + take));
    left -= take;
  }
  return Buffer.concat(parts);
}

/** A payload in frames of `fragmentSize` (0: one frame); RSV1 on the first when compressed. */
function framesOf(payload: Buffer, opcode: number, fragmentSize: number, compressed: boolean): FrameSpec[] {
  const size = fragmentSize || payload.length || 1;
  const frames: FrameSpec[] = [];
  for (let at = 0; at === 0 || at < payload.length; at += size) {
    const last = at + size >= payload.length;
    frames.push({ opcode: at === 0 ? opcode : Opcode.CONTINUATION, payload: payload.subarray(at, at + size), fin: last, rsv: at === 0 && compressed ? 4 : 0 });
  }
  return frames;
}

/** What permessage-deflate the handshake agreed on, checked against RFC 7692 (problems otherwise). */
function negotiation(c: EchoCase, peer: RawPeer, target: Target['name']): { params?: DeflateParams; problems: string[] } {
  const offered = headerValue(peer.handshake.request, 'sec-websocket-extensions');
  const answered = headerValue(peer.handshake.response, 'sec-websocket-extensions');
  const problems: string[] = [];
  if (target === 'client') {
    for (const offer of parseExtensions(offered)) {
      const problem = offerProblem(offer);
      if (problem) problems.push(`connect() offered '${offered ?? ''}': ${problem}`);
    }
  }
  const agreed = negotiatedAsClient(offered ?? '', answered);
  if (typeof agreed === 'string') return { problems: [...problems, `the answer '${answered ?? ''}' to the offer '${offered ?? ''}' breaks RFC 7692: ${agreed}`] };
  if (c.expectDeflate !== undefined && c.expectDeflate !== (agreed !== undefined)) {
    problems.push(`expected permessage-deflate to be ${c.expectDeflate ? 'accepted' : 'declined'}: offer '${offered ?? ''}', answer '${answered ?? 'none'}'`);
  }
  for (const [key, value] of Object.entries(c.expectParams ?? {})) {
    if (agreed?.[key as keyof DeflateParams] !== value) problems.push(`expected ${key} ${String(value)} to be agreed: offer '${offered ?? ''}', answer '${answered ?? 'none'}'`);
  }
  return { params: agreed, problems };
}

/** Reads one whole data message (its frames up to fin); undefined if the connection closed first. */
async function readMessage(peer: RawPeer, deadline: number): Promise<{ frames: Frame[]; close?: Frame } | undefined> {
  const frames: Frame[] = [];
  for (;;) {
    const frame = await peer.next(Math.max(1, deadline - Date.now()));
    if (!frame) return undefined;
    if (frame.opcode === Opcode.CLOSE) return { frames, close: frame };
    frames.push(frame);
    if (frame.fin) return { frames };
  }
}

/** The problems found, or the close frame the side under test sent instead of an echo. */
type Exchanged = string[] | Frame;

async function exchange(c: EchoCase, opened: Opened, target: Target['name'], codec: DeflateCodec | undefined, deadline: number): Promise<Exchanged> {
  const { peer } = opened;
  const data = c.data();
  const opcode = c.binary ? Opcode.BINARY : Opcode.TEXT;
  for (let i = 0; i < c.count; i++) {
    const message = messageAt(data, c.size, i);
    const payload = codec ? await codec.compress(message) : message;
    await peer.send(framesOf(payload, opcode, c.fragmentSize, codec !== undefined), c.chopSize || undefined);
    const got = await readMessage(peer, deadline);
    if (!got) return [`message ${i + 1} of ${c.count}: no echo within ${c.timeoutMs} ms`];
    if (got.close) return c.nonStrict?.close === closeCodeOf(got.close) ? got.close : [`message ${i + 1} of ${c.count}: closed with ${closeCodeOf(got.close)} instead of an echo`];
    const [first, ...rest] = got.frames;
    const problems = directionProblems(got.frames, target, codec ? 4 : 0);
    if (rest.some((f) => f.rsv !== 0)) problems.push('RSV1 on a continuation frame (RFC 7692 §6.1 allows it on the first only)');
    if (first.opcode !== opcode || rest.some((f) => f.opcode !== Opcode.CONTINUATION)) problems.push(`message ${i + 1}: opcodes ${got.frames.map((f) => f.opcode).join(',')}`);
    let echoed: Buffer = Buffer.concat(got.frames.map((f) => f.payload));
    if (first.rsv & 4) {
      try {
        echoed = await codec!.decompress(echoed);
      } catch (err) {
        problems.push(`message ${i + 1}: the echo does not inflate with the agreed parameters: ${(err as Error).message}`);
      }
    }
    if (!problems.length && !echoed.equals(message)) problems.push(`message ${i + 1}: the echo differs (${echoed.length} bytes, sent ${message.length})`);
    if (problems.length) return problems;
  }
  return [];
}

/** connect() must fail the connection on an answer it cannot accept (RFC 7692 §5, §7.1). */
async function refusalOutcome(expected: RegExp, opened: Opened): Promise<Pick<CaseResult, 'outcome' | 'problems'>> {
  const reason = await withDeadline(opened.failure ?? Promise.resolve(undefined), READ_TIMEOUT_MS, undefined);
  const problems: string[] = [];
  if (reason === undefined) problems.push(`connect() accepted the answer '${headerValue(opened.peer.handshake.response, 'sec-websocket-extensions') ?? ''}'`);
  else if (!expected.test(reason)) problems.push(`connect() failed, but its reason does not say why: ${reason}`);
  if ((await withDeadline(opened.peer.ended.then(() => true), READ_TIMEOUT_MS, false)) === false) problems.push('connect() left the TCP connection open');
  return { outcome: problems.length ? 'FAILED' : 'OK', problems };
}

export async function runEchoCase(c: EchoCase, target: Target): Promise<CaseResult> {
  const result = { target: target.name, id: c.id, group: c.group, title: c.title };
  let opened: Opened;
  try {
    opened = await target.open({ maxPayload: c.maxPayload, deflate: c.deflate });
  } catch (err) {
    return { ...result, outcome: 'FAILED', problems: [`the opening handshake failed: ${(err as Error).message}`] };
  }
  const { peer } = opened;
  const deadline = Date.now() + c.timeoutMs;
  if (c.refusal) {
    try {
      return { ...result, ...(await refusalOutcome(c.refusal, opened)) };
    } finally {
      peer.destroy();
      opened.dispose();
    }
  }
  const { params, problems } = negotiation(c, peer, target.name);
  const codec = params && new DeflateCodec(params, peer.role);
  try {
    const exchanged = problems.length ? [] : await exchange(c, opened, target.name, codec, deadline);
    if (!Array.isArray(exchanged)) {
      // Closed at one of rxws's limits: NON-STRICT if the close is clean and reported.
      const closing = [...directionProblems([exchanged], target.name), ...(await finishClose(opened, target.name, exchanged, false, closeCodeOf(exchanged)))];
      return closing.length ? { ...result, outcome: 'FAILED', problems: closing } : { ...result, outcome: 'NON-STRICT', problems: [c.nonStrict!.reason] };
    }
    problems.push(...exchanged);
    await peer.send([{ opcode: Opcode.CLOSE, payload: closePayload(problems.length ? 1002 : 1000) }]);
    if (!problems.length) {
      const closing = await readMessage(peer, Math.max(deadline, Date.now() + READ_TIMEOUT_MS));
      if (!closing?.close) problems.push('expected the close frame 1000 back, got none');
      else if (closeCodeOf(closing.close) !== 1000) problems.push(`expected close code 1000 back, got ${closeCodeOf(closing.close)}`);
      problems.push(...(await finishClose(opened, target.name, closing?.close, true, 1000)));
    }
  } finally {
    codec?.close();
    peer.destroy();
    opened.dispose();
  }
  return { ...result, outcome: problems.length ? 'FAILED' : 'OK', problems };
}
