// The conformance cases, grouped as in the Autobahn|Testsuite. Each case says what the raw
// peer sends, which frames the side under test must answer with (echoes of messages, pongs)
// and the close code it must send. The same table runs against rxws's client and server.
// A case rebuilt from one of Autobahn's keeps its number (6.4.1, 7.9.3 …); rxws's own cases
// are numbered rx<group>.<n>.
import { deflateRawSync, constants as zlibConstants } from 'node:zlib';
import { closePayload, Opcode, type Frame, type FrameSpec } from '../helpers/raw-peer';
import type { DeflateSetup } from './runner';
import { KOSME, UTF8_SUBGROUPS } from './utf8-sequences';

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

const { TEXT, BINARY, CONTINUATION: CONT, PING, PONG, CLOSE } = Opcode;
const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff));
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');
const text = (payload: Buffer | string, fin = true): FrameSpec => ({ opcode: TEXT, payload, fin });
const cont = (payload: Buffer | string, fin = true): FrameSpec => ({ opcode: CONT, payload, fin });
const close = (code: number, reason: Buffer | string = ''): FrameSpec => ({ opcode: CLOSE, payload: closePayload(code, reason) });
const echo = (opcode: number, payload: Buffer | string): ExpectedFrame => ({ opcode, payload });

const cases: ConformanceCase[] = [];
type CaseBody = Omit<ConformanceCase, 'id' | 'group' | 'title'>;
/** One of rxws's own cases: numbered rx<group>.<n>. */
const add = (group: Group, title: string, c: CaseBody): void => {
  const n = cases.filter((x) => x.group === group && x.id.startsWith('rx')).length + 1;
  cases.push({ id: `rx${group.split(' ')[0]}.${n}`, group, title, ...c });
};
/** One of Autobahn's cases, under its number. */
const autobahn = (id: string, group: Group, title: string, c: CaseBody): void => {
  cases.push({ id, group, title, ...c });
};

// 1 Framing: every length form of RFC 6455 §5.2 (7-bit, 16-bit, 64-bit), text and binary.
for (const len of [0, 125, 126, 127, 65535, 65536]) {
  add('1 Framing', `text, ${len} bytes`, { send: [text('*'.repeat(len))], expect: [echo(TEXT, '*'.repeat(len))], close: 1000 });
  add('1 Framing', `binary, ${len} bytes`, { send: [{ opcode: BINARY, payload: bytes(len) }], expect: [echo(BINARY, bytes(len))], close: 1000 });
}
add('1 Framing', 'text, 126 bytes, written byte by byte', { send: [text('b'.repeat(126))], chunkSize: 1, expect: [echo(TEXT, 'b'.repeat(126))], close: 1000 });
add('1 Framing', 'binary, 65536 bytes, written in 997-byte chunks', { send: [{ opcode: BINARY, payload: bytes(65536) }], chunkSize: 997, expect: [echo(BINARY, bytes(65536))], close: 1000 });
add('1 Framing', 'three messages in one write', { send: [text('a'), text('b'), { opcode: BINARY, payload: bytes(3) }], expect: [echo(TEXT, 'a'), echo(TEXT, 'b'), echo(BINARY, bytes(3))], close: 1000 });

// 2 Ping/Pong (RFC 6455 §5.5.2, §5.5.3).
add('2 Ping/Pong', 'ping, empty payload', { send: [{ opcode: PING }], expect: [echo(PONG, '')], close: 1000 });
add('2 Ping/Pong', 'ping, text payload', { send: [{ opcode: PING, payload: 'Hello, world!' }], expect: [echo(PONG, 'Hello, world!')], close: 1000 });
add('2 Ping/Pong', 'ping, binary payload', { send: [{ opcode: PING, payload: hex('00ff fe fd fc fb 00 ff') }], expect: [echo(PONG, hex('00fffefdfcfb00ff'))], close: 1000 });
add('2 Ping/Pong', 'ping, 125 bytes', { send: [{ opcode: PING, payload: bytes(125) }], expect: [echo(PONG, bytes(125))], close: 1000 });
add('2 Ping/Pong', 'ping, 126 bytes (over the control-frame limit)', { send: [{ opcode: PING, payload: bytes(126) }], expect: [], close: 1002 });
add('2 Ping/Pong', 'ping, 125 bytes, byte by byte', { send: [{ opcode: PING, payload: bytes(125) }], chunkSize: 1, expect: [echo(PONG, bytes(125))], close: 1000 });
add('2 Ping/Pong', 'unsolicited pong, empty: ignored', { send: [{ opcode: PONG }], expect: [], close: 1000 });
add('2 Ping/Pong', 'unsolicited pong with payload: ignored', { send: [{ opcode: PONG, payload: 'unsolicited' }], expect: [], close: 1000 });
add('2 Ping/Pong', 'unsolicited pong, then ping: one pong', { send: [{ opcode: PONG, payload: 'u' }, { opcode: PING, payload: 'p' }], expect: [echo(PONG, 'p')], close: 1000 });
add('2 Ping/Pong', '10 pings: 10 pongs in order', {
  send: Array.from({ length: 10 }, (_, i) => ({ opcode: PING, payload: `ping ${i}` })),
  expect: Array.from({ length: 10 }, (_, i) => echo(PONG, `ping ${i}`)),
  close: 1000,
});

// 3 Reserved bits: no extension is negotiated, so any RSV bit fails the connection (§5.2).
for (const rsv of [1, 2, 3, 4, 5, 6, 7]) {
  const opcode = [TEXT, TEXT, TEXT, BINARY, PING, TEXT, CLOSE][rsv - 1];
  const payload = opcode === CLOSE ? closePayload(1000) : 'rsv';
  add('3 Reserved bits', `RSV=${rsv} on a ${opcode === TEXT ? 'text' : opcode === BINARY ? 'binary' : opcode === PING ? 'ping' : 'close'} frame after a valid text`, {
    send: [text('before'), { opcode, payload, rsv }, { opcode: PING, payload: 'after' }],
    expect: [echo(TEXT, 'before')],
    close: 1002,
  });
}

// 4 Opcodes: reserved data (3–7) and control (11–15) opcodes fail the connection (§5.2).
for (const opcode of [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) {
  add('4 Opcodes', `reserved opcode ${opcode} after a valid text`, {
    send: [text('before'), { opcode, payload: opcode > 7 ? '' : 'x' }, { opcode: PING, payload: 'after' }],
    expect: [echo(TEXT, 'before')],
    close: 1002,
  });
}

// 5 Fragmentation (§5.4).
add('5 Fragmentation', 'fragmented ping', { send: [{ opcode: PING, payload: 'fra', fin: false }, cont('gment')], expect: [], close: 1002 });
add('5 Fragmentation', 'fragmented pong', { send: [{ opcode: PONG, payload: 'fra', fin: false }, cont('gment')], expect: [], close: 1002 });
add('5 Fragmentation', 'text in 2 fragments', { send: [text('frag', false), cont('ment')], expect: [echo(TEXT, 'fragment')], close: 1000 });
add('5 Fragmentation', 'text in 2 fragments, byte by byte', { send: [text('frag', false), cont('ment')], chunkSize: 1, expect: [echo(TEXT, 'fragment')], close: 1000 });
add('5 Fragmentation', 'binary in 3 fragments', { send: [{ opcode: BINARY, payload: bytes(5), fin: false }, cont(bytes(6), false), cont(bytes(7))], expect: [echo(BINARY, Buffer.concat([bytes(5), bytes(6), bytes(7)]))], close: 1000 });
add('5 Fragmentation', 'empty fragments', { send: [text('', false), cont('', false), cont('')], expect: [echo(TEXT, '')], close: 1000 });
add('5 Fragmentation', 'ping between fragments: answered first', { send: [text('frag', false), { opcode: PING, payload: 'p' }, cont('ment')], expect: [echo(PONG, 'p'), echo(TEXT, 'fragment')], close: 1000 });
add('5 Fragmentation', 'pong between fragments: ignored', { send: [text('frag', false), { opcode: PONG, payload: 'p' }, cont('ment')], expect: [echo(TEXT, 'fragment')], close: 1000 });
add('5 Fragmentation', 'pings between many fragments', {
  send: [text('a', false), { opcode: PING, payload: '1' }, cont('b', false), { opcode: PING, payload: '2' }, cont('c')],
  expect: [echo(PONG, '1'), echo(PONG, '2'), echo(TEXT, 'abc')],
  close: 1000,
});
add('5 Fragmentation', 'continuation (fin) with no message started', { send: [cont('x')], expect: [], close: 1002 });
add('5 Fragmentation', 'continuation (not fin) with no message started', { send: [cont('x', false), cont('y')], expect: [], close: 1002 });
add('5 Fragmentation', 'continuation after a complete message', { send: [text('done'), cont('late')], expect: [echo(TEXT, 'done')], close: 1002 });
add('5 Fragmentation', 'new text while a message is in progress', { send: [text('frag', false), text('ment')], expect: [], close: 1002 });
add('5 Fragmentation', 'message, then a continuation starting a second one', {
  send: [text('one', false), cont('two'), cont('three', false), text('four')],
  expect: [echo(TEXT, 'onetwo')],
  close: 1002,
});

// 6 UTF-8 (§8.1): text must be valid UTF-8, also when a code point is split across fragments.
const valid: Array<[string, Buffer]> = [
  ['ASCII', Buffer.from('Hello-µ@ßöäüàá-UTF-8!!')],
  ['Greek κόσμε', hex('ceba e1bdb9 cf83 cebc ceb5')],
  ['U+0000', hex('00')],
  ['U+007F', hex('7f')],
  ['U+0080', hex('c280')],
  ['U+07FF', hex('dfbf')],
  ['U+0800', hex('e0a080')],
  ['U+FEFF (BOM)', hex('efbbbf')],
  ['U+FFFE (non-character)', hex('efbfbe')],
  ['U+FFFF', hex('efbfbf')],
  ['U+10000', hex('f0908080')],
  ['U+10FFFF', hex('f48fbfbf')],
];
for (const [name, payload] of valid) add('6 UTF-8', `valid: ${name}`, { send: [text(payload)], expect: [echo(TEXT, payload)], close: 1000 });
const kosme = hex('cebae1bdb9cf83cebcceb5');
for (const at of [1, 3, 5]) {
  add('6 UTF-8', `valid κόσμε split inside a code point at byte ${at}`, { send: [text(kosme.subarray(0, at), false), cont(kosme.subarray(at))], expect: [echo(TEXT, kosme)], close: 1000 });
}
add('6 UTF-8', 'valid U+10000 split over 4 fragments of 1 byte', {
  send: [text(hex('f0'), false), cont(hex('90'), false), cont(hex('80'), false), cont(hex('80'))],
  expect: [echo(TEXT, hex('f0908080'))],
  close: 1000,
});
const invalid: Array<[string, Buffer]> = [
  ['lone continuation byte 0x80', hex('80')],
  ['byte 0xFE', hex('fe')],
  ['byte 0xFF', hex('ff')],
  ['overlong "/" in 2 bytes', hex('c0af')],
  ['overlong "/" in 3 bytes', hex('e080af')],
  ['overlong "/" in 4 bytes', hex('f08080af')],
  ['surrogate U+D800', hex('eda080')],
  ['surrogate U+DFFF', hex('edbfbf')],
  ['code point above U+10FFFF', hex('f4908080')],
  ['5-byte sequence', hex('f888808080')],
  ['truncated 3-byte sequence', hex('e282')],
  ['κόσμε with a surrogate appended', Buffer.concat([kosme, hex('eda080'), Buffer.from('edited')])],
];
for (const [name, payload] of invalid) add('6 UTF-8', `invalid: ${name}`, { send: [text(payload)], expect: [], close: 1007 });
add('6 UTF-8', 'invalid: bad continuation in the 2nd fragment', { send: [text(hex('ce'), false), cont(hex('41'))], expect: [], close: 1007 });
add('6 UTF-8', 'invalid: valid 1st fragment, surrogate in the 2nd', { send: [text(kosme, false), cont(hex('eda080'))], expect: [], close: 1007 });
add('6 UTF-8', 'invalid: message ends inside a code point', { send: [text(hex('f090'), false), cont(hex('80'))], expect: [], close: 1007 });

// 6 UTF-8, Autobahn 6.1 – 6.23.
const HELLO = Buffer.from('Hello-µ@ßöäüàá-UTF-8!!');
/** A text message in fragments of one byte each (the last one fin). */
const byteFragments = (payload: Buffer): FrameSpec[] =>
  Array.from(payload, (_, i) => (i === 0 ? text : cont)(payload.subarray(i, i + 1), i === payload.length - 1));
const echoOf = (payload: Buffer): ExpectedFrame[] => [echo(TEXT, payload)];
autobahn('6.1.1', '6 UTF-8', 'empty text message', { send: [text('')], expect: echoOf(Buffer.alloc(0)), close: 1000 });
autobahn('6.1.2', '6 UTF-8', 'empty text message in 3 empty fragments', { send: [text('', false), cont('', false), cont('')], expect: echoOf(Buffer.alloc(0)), close: 1000 });
autobahn('6.1.3', '6 UTF-8', '3 fragments, first and last empty', { send: [text('', false), cont('middle frame payload', false), cont('')], expect: [echo(TEXT, 'middle frame payload')], close: 1000 });
autobahn('6.2.1', '6 UTF-8', 'valid UTF-8 in one fragment', { send: [text(HELLO)], expect: echoOf(HELLO), close: 1000 });
autobahn('6.2.2', '6 UTF-8', 'valid UTF-8 in 2 fragments split on a code point boundary', { send: [text(HELLO.subarray(0, 12), false), cont(HELLO.subarray(12))], expect: echoOf(HELLO), close: 1000 });
autobahn('6.2.3', '6 UTF-8', 'valid UTF-8 in 1-byte fragments (split inside code points)', { send: byteFragments(HELLO), expect: echoOf(HELLO), close: 1000 });
autobahn('6.2.4', '6 UTF-8', 'valid κόσμε in 1-byte fragments', { send: byteFragments(KOSME), expect: echoOf(KOSME), close: 1000 });
const KOSME_SURROGATE = Buffer.concat([KOSME, hex('eda080'), Buffer.from('edited')]);
autobahn('6.3.1', '6 UTF-8', 'invalid UTF-8 (a surrogate) in one fragment', { send: [text(KOSME_SURROGATE)], expect: [], close: 1007 });
autobahn('6.3.2', '6 UTF-8', 'invalid UTF-8 (a surrogate) in 1-byte fragments', { send: byteFragments(KOSME_SURROGATE), expect: [], close: 1007 });
const OUT_OF_RANGE: [Buffer, Buffer, Buffer] = [KOSME, hex('f4908080'), Buffer.from('edited')];
const OUT_OF_RANGE_SPLIT: [Buffer, Buffer, Buffer] = [Buffer.concat([KOSME, hex('f4')]), hex('90'), hex('8080656469746564')];
const ffCase = { send: [], expect: [], close: 1007 };
autobahn('6.4.1', '6 UTF-8', 'fail fast: 3 frames, the 2nd an out-of-range code point', { ...ffCase, failFast: { split: 'frames', parts: OUT_OF_RANGE } });
autobahn('6.4.2', '6 UTF-8', 'fail fast: 3 frames, the 2nd the byte making the code point out of range', { ...ffCase, failFast: { split: 'frames', parts: OUT_OF_RANGE_SPLIT } });
autobahn('6.4.3', '6 UTF-8', 'fail fast: one frame in 3 chops, the 2nd an out-of-range code point', { ...ffCase, failFast: { split: 'chops', parts: OUT_OF_RANGE } });
autobahn('6.4.4', '6 UTF-8', 'fail fast: one frame in 3 chops, the 2nd the byte making the code point out of range', { ...ffCase, failFast: { split: 'chops', parts: OUT_OF_RANGE_SPLIT } });
UTF8_SUBGROUPS.forEach((subgroup, i) => {
  subgroup.sequences.forEach(({ valid, payload }, j) => {
    const id = `6.${i + 5}.${j + 1}`;
    const what = `${subgroup.title}, ${valid ? 'valid' : 'invalid'}: ${payload.length > 12 ? `${payload.length} bytes` : payload.toString('hex')}`;
    const outcome = valid ? { expect: echoOf(payload), close: 1000 } : { expect: [], close: 1007 };
    autobahn(id, '6 UTF-8', what, { send: [text(payload)], ...outcome });
    // Autobahn sends each in one frame; split at every byte it tests a validator that carries
    // a code point over from one fragment to the next.
    if (payload.length > 1) autobahn(`${id}b`, '6 UTF-8', `${what}, in 1-byte fragments`, { send: byteFragments(payload), ...outcome });
  });
});

// 7 Close handling (§5.5.1, §7.4), Autobahn 7.1 – 7.13.
const G7 = '7 Close handling';
autobahn('7.1.1', G7, 'text, then close', { send: [text('bye'), close(1000)], expect: [echo(TEXT, 'bye')], close: 1000 });
autobahn('7.1.2', G7, 'close, then close: one close answered', { send: [close(1000), close(1001)], expect: [], close: 1000 });
autobahn('7.1.3', G7, 'close, then ping: no pong', { send: [close(1000), { opcode: PING, payload: 'late' }], expect: [], close: 1000 });
autobahn('7.1.4', G7, 'close, then text: not delivered', { send: [close(1000), text('late')], expect: [], close: 1000 });
autobahn('7.1.5', G7, 'close in the middle of a fragmented message', { send: [text('frag', false), close(1000), cont('ment')], expect: [], close: 1000 });
const big = 'x'.repeat(256 * 1024);
autobahn('7.1.6', G7, '256 KiB text, close and ping back to back: the text echoed, then the close', {
  send: [text(big), close(1000), { opcode: PING, payload: 'late' }],
  expect: [echo(TEXT, big)],
  close: 1000,
});
autobahn('7.3.1', G7, 'close with no payload: answered with no code', { send: [{ opcode: CLOSE }], expect: [], close: 1005 });
autobahn('7.3.2', G7, 'close with a 1-byte payload', { send: [{ opcode: CLOSE, payload: hex('03') }], expect: [], close: 1002 });
autobahn('7.3.3', G7, 'close 1000 with no reason', { send: [close(1000)], expect: [], close: 1000 });
autobahn('7.3.4', G7, 'close 1000 with a reason', { send: [close(1000, 'Hello World!')], expect: [], close: 1000 });
autobahn('7.3.5', G7, 'close 1000 with a 123-byte reason (payload of 125)', { send: [close(1000, 'r'.repeat(123))], expect: [], close: 1000 });
autobahn('7.3.6', G7, 'close 1000 with a 124-byte reason (payload over 125)', { send: [close(1000, 'r'.repeat(124))], expect: [], close: 1002 });
autobahn('7.5.1', G7, 'close 1000 with an invalid UTF-8 reason', { send: [close(1000, KOSME_SURROGATE)], expect: [], close: 1007 });
[1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999].forEach((code, i) => {
  autobahn(`7.7.${i + 1}`, G7, `valid close code ${code}: echoed`, { send: [close(code)], expect: [], close: code });
});
// Registered since Autobahn's list was written (IANA WebSocket Close Code Number Registry).
for (const code of [1012, 1013, 1014]) add(G7, `valid close code ${code}: echoed`, { send: [close(code)], expect: [], close: code });
[0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999].forEach((code, i) => {
  autobahn(`7.9.${i + 1}`, G7, `invalid close code ${code}`, { send: [close(code)], expect: [], close: 1002 });
});
add(G7, 'invalid close code 1015 (TLS failure, never on the wire)', { send: [close(1015)], expect: [], close: 1002 });
autobahn('7.13.1', G7, 'invalid close code 5000', { send: [close(5000)], expect: [], close: 1002 });
autobahn('7.13.2', G7, 'invalid close code 65535', { send: [close(65535)], expect: [], close: 1002 });

// 9 Limits: a message over maxPayload closes with 1009 (§7.4.1).
const limit = 1024;
add('9 Limits', `text of exactly maxPayload (${limit})`, { maxPayload: limit, send: [text('m'.repeat(limit))], expect: [echo(TEXT, 'm'.repeat(limit))], close: 1000 });
add('9 Limits', 'text one byte over maxPayload', { maxPayload: limit, send: [text('m'.repeat(limit + 1))], expect: [], close: 1009 });
add('9 Limits', 'binary far over maxPayload (64 KiB)', { maxPayload: limit, send: [{ opcode: BINARY, payload: bytes(65536) }], expect: [], close: 1009 });
add('9 Limits', 'fragments that add up to over maxPayload', { maxPayload: limit, send: [text('m'.repeat(600), false), cont('m'.repeat(425))], expect: [], close: 1009 });

// 10 Masking (§5.3): every frame a client sends is masked with a fresh key; a server never masks.
// The runner checks the direction of every frame of every case; these cases add what is left.
const distinctKeys = (frames: Frame[]): string[] => {
  const keys = frames.filter((f) => f.maskKey).map((f) => f.maskKey!.toString('hex'));
  return new Set(keys).size === keys.length ? [] : [`mask keys repeat: ${keys.join(' ')}`];
};
add('10 Masking', '20 messages: a fresh mask key per frame from a client, none from a server', {
  send: Array.from({ length: 20 }, (_, i) => text(`message ${i}`)),
  expect: Array.from({ length: 20 }, (_, i) => echo(TEXT, `message ${i}`)),
  close: 1000,
  check: distinctKeys,
});
add('10 Masking', 'a frame masked against the role (masked from a server, unmasked from a client)', {
  send: [text('before'), { opcode: TEXT, payload: 'wrong', wrongMask: true }],
  expect: [echo(TEXT, 'before')],
  close: 1002,
});

// 12 Compression: frames that break permessage-deflate once it is agreed (RFC 7692 §6, §8).
const deflate: DeflateSetup = { offer: 'permessage-deflate', answer: () => 'permessage-deflate', server: { threshold: 0 }, client: { threshold: 0 } };
/** One message compressed as RFC 7692 §7.2.1 says: raw deflate, sync flush, the 00 00 ff ff tail removed. */
const compressed = (message: Buffer): Buffer => {
  const out = deflateRawSync(message, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4);
};
const G12: Group = '12 Compression';
add(G12, 'a compressed message inflating past maxPayload (1 MiB of zeros in ~1 KiB): 1009', {
  deflate,
  maxPayload: 64 * 1024,
  send: [{ opcode: TEXT, payload: compressed(Buffer.alloc(1024 * 1024, 0x30)), rsv: 4 }],
  expect: [],
  close: 1009,
});
add(G12, 'compressed data that does not inflate: 1007', { deflate, send: [{ opcode: TEXT, payload: hex('ffffffffff00'), rsv: 4 }], expect: [], close: 1007 });
add(G12, 'compressed text that inflates to invalid UTF-8: 1007', { deflate, send: [{ opcode: TEXT, payload: compressed(KOSME_SURROGATE), rsv: 4 }], expect: [], close: 1007 });
add(G12, 'RSV1 on a continuation frame: 1002', {
  deflate,
  send: [{ opcode: TEXT, payload: compressed(Buffer.from('frag')), rsv: 4, fin: false }, { opcode: CONT, payload: '', rsv: 4 }],
  expect: [],
  close: 1002,
});
add(G12, 'RSV1 on a ping: 1002', { deflate, send: [{ opcode: PING, payload: 'p', rsv: 4 }], expect: [], close: 1002 });
add(G12, 'RSV2 on a text frame (only RSV1 is agreed): 1002', { deflate, send: [{ opcode: TEXT, payload: 'x', rsv: 2 }], expect: [], close: 1002 });

export const CASES: readonly ConformanceCase[] = cases;
