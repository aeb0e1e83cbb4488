// Autobahn's groups 1 (framing), 2 (ping/pong), 3 (reserved bits), 4 (opcodes),
// 5 (fragmentation) and 10 (masking), with rxws's own cases where they add something.
import type { Frame, FrameSpec } from '../helpers/raw-peer';
import { BINARY, bytes, CaseList, close, cont, echo, hex, PING, PONG, TEXT, text, type ConformanceCase } from './case-kit';

const list = new CaseList();
const autobahn = list.autobahn.bind(list);
const add = list.add.bind(list);

// 1 Framing: every length form of RFC 6455 §5.2 (7-bit, 16-bit, 64-bit), text and binary.
const LENGTHS = [0, 125, 126, 127, 128, 65535, 65536];
LENGTHS.forEach((len, i) => {
  autobahn(`1.1.${i + 1}`, '1 Framing', `text, ${len} bytes`, { send: [text('*'.repeat(len))], expect: [echo(TEXT, '*'.repeat(len))], close: 1000 });
});
autobahn('1.1.8', '1 Framing', 'text, 65536 bytes, written in 997-byte chops', { send: [text('*'.repeat(65536))], chunkSize: 997, expect: [echo(TEXT, '*'.repeat(65536))], close: 1000 });
LENGTHS.forEach((len, i) => {
  const payload = Buffer.alloc(len, 0xfe);
  autobahn(`1.2.${i + 1}`, '1 Framing', `binary, ${len} bytes`, { send: [{ opcode: BINARY, payload }], expect: [echo(BINARY, payload)], close: 1000 });
});
autobahn('1.2.8', '1 Framing', 'binary, 65536 bytes, written in 997-byte chops', { send: [{ opcode: BINARY, payload: Buffer.alloc(65536, 0xfe) }], chunkSize: 997, expect: [echo(BINARY, Buffer.alloc(65536, 0xfe))], close: 1000 });
add('1 Framing', 'binary of varied bytes, 65536 bytes', { send: [{ opcode: BINARY, payload: bytes(65536) }], expect: [echo(BINARY, bytes(65536))], close: 1000 });
add('1 Framing', 'text, 126 bytes, written byte by byte', { send: [text('b'.repeat(126))], chunkSize: 1, expect: [echo(TEXT, 'b'.repeat(126))], close: 1000 });
add('1 Framing', 'three messages in one write', { send: [text('a'), text('b'), { opcode: BINARY, payload: bytes(3) }], expect: [echo(TEXT, 'a'), echo(TEXT, 'b'), echo(BINARY, bytes(3))], close: 1000 });

// 2 Ping/Pong (RFC 6455 §5.5.2, §5.5.3).
const G2 = '2 Ping/Pong';
autobahn('2.1', G2, 'ping, empty payload', { send: [{ opcode: PING }], expect: [echo(PONG, '')], close: 1000 });
autobahn('2.2', G2, 'ping, small text payload', { send: [{ opcode: PING, payload: 'Hello, world!' }], expect: [echo(PONG, 'Hello, world!')], close: 1000 });
autobahn('2.3', G2, 'ping, small binary payload', { send: [{ opcode: PING, payload: hex('00ff fe fd fc fb 00 ff') }], expect: [echo(PONG, hex('00fffefdfcfb00ff'))], close: 1000 });
autobahn('2.4', G2, 'ping, 125 bytes', { send: [{ opcode: PING, payload: Buffer.alloc(125, 0xfe) }], expect: [echo(PONG, Buffer.alloc(125, 0xfe))], close: 1000 });
autobahn('2.5', G2, 'ping, 126 bytes (over the control-frame limit)', { send: [{ opcode: PING, payload: Buffer.alloc(126, 0xfe) }], expect: [], close: 1002 });
autobahn('2.6', G2, 'ping, 125 bytes, written byte by byte', { send: [{ opcode: PING, payload: Buffer.alloc(125, 0xfe) }], chunkSize: 1, expect: [echo(PONG, Buffer.alloc(125, 0xfe))], close: 1000 });
autobahn('2.7', G2, 'unsolicited pong, empty: ignored', { send: [{ opcode: PONG }], expect: [], close: 1000 });
autobahn('2.8', G2, 'unsolicited pong with payload: ignored', { send: [{ opcode: PONG, payload: 'unsolicited pong payload' }], expect: [], close: 1000 });
autobahn('2.9', G2, 'unsolicited pong, then ping: one pong', {
  send: [{ opcode: PONG, payload: 'unsolicited pong payload' }, { opcode: PING, payload: 'ping payload' }],
  expect: [echo(PONG, 'ping payload')],
  close: 1000,
});
const tenPings = Array.from({ length: 10 }, (_, i): FrameSpec => ({ opcode: PING, payload: `payload-${i}` }));
const tenPongs = Array.from({ length: 10 }, (_, i) => echo(PONG, `payload-${i}`));
autobahn('2.10', G2, '10 pings: 10 pongs in order', { send: tenPings, expect: tenPongs, close: 1000 });
autobahn('2.11', G2, '10 pings written byte by byte: 10 pongs in order', { send: tenPings, chunkSize: 1, expect: tenPongs, close: 1000 });

// 3 Reserved bits: no extension is negotiated, so any RSV bit fails the connection (§5.2);
// nothing after the bad frame is answered.
const G3 = '3 Reserved bits';
const afterPing: FrameSpec = { opcode: PING, payload: 'after' };
autobahn('3.1', G3, 'text with RSV=1', { send: [{ opcode: TEXT, payload: 'Hello, world!', rsv: 1 }], expect: [], close: 1002 });
autobahn('3.2', G3, 'text, text with RSV=2, ping', { send: [text('Hello, world!'), { opcode: TEXT, payload: 'Hello, world!', rsv: 2 }, afterPing], expect: [echo(TEXT, 'Hello, world!')], close: 1002 });
autobahn('3.3', G3, 'text, text with RSV=3, ping, each frame on its own', {
  send: [text('Hello, world!'), { opcode: TEXT, payload: 'Hello, world!', rsv: 3 }, afterPing],
  framewise: true,
  expect: [echo(TEXT, 'Hello, world!')],
  close: 1002,
});
autobahn('3.4', G3, 'text, text with RSV=4, ping, byte by byte', {
  send: [text('Hello, world!'), { opcode: TEXT, payload: 'Hello, world!', rsv: 4 }, afterPing],
  chunkSize: 1,
  expect: [echo(TEXT, 'Hello, world!')],
  close: 1002,
});
autobahn('3.5', G3, 'binary with RSV=5', { send: [{ opcode: BINARY, payload: hex('00ff fe fd fc fb 00 ff'), rsv: 5 }], expect: [], close: 1002 });
autobahn('3.6', G3, 'ping with RSV=6', { send: [{ opcode: PING, payload: 'Hello, world!', rsv: 6 }], expect: [], close: 1002 });
autobahn('3.7', G3, 'close with RSV=7', { send: [{ ...close(1000), rsv: 7 }], expect: [], close: 1002 });

// 4 Opcodes: reserved data (3–7) and control (11–15) opcodes fail the connection (§5.2).
const G4 = '4 Opcodes';
[3, 4, 5, 6, 7].forEach((opcode, i) => reservedOpcode(`4.1.${i + 1}`, opcode, i));
[11, 12, 13, 14, 15].forEach((opcode, i) => reservedOpcode(`4.2.${i + 1}`, opcode, i));
/** Autobahn's pattern: the opcode alone (empty, then with a payload), then between a text and a ping. */
function reservedOpcode(id: string, opcode: number, i: number): void {
  const withPayload = i !== 0 && i !== 2;
  const bad: FrameSpec = { opcode, payload: withPayload ? 'reserved opcode payload' : '' };
  const what = `reserved opcode ${opcode}${withPayload ? ' with a payload' : ''}`;
  if (i < 2) autobahn(id, G4, what, { send: [bad], expect: [], close: 1002 });
  else {
    autobahn(id, G4, `text, ${what}, ping`, {
      send: [text('Hello, world!'), bad, afterPing],
      expect: [echo(TEXT, 'Hello, world!')],
      close: 1002,
    });
  }
}

// 5 Fragmentation (§5.4).
const G5 = '5 Fragmentation';
const two = [text('fragment1', false), cont('fragment2')];
const whole = echo(TEXT, 'fragment1fragment2');
autobahn('5.1', G5, 'ping in 2 fragments', { send: [{ opcode: PING, payload: 'fragment1', fin: false }, cont('fragment2')], expect: [], close: 1002 });
autobahn('5.2', G5, 'pong in 2 fragments', { send: [{ opcode: PONG, payload: 'fragment1', fin: false }, cont('fragment2')], expect: [], close: 1002 });
autobahn('5.3', G5, 'text in 2 fragments', { send: two, expect: [whole], close: 1000 });
autobahn('5.4', G5, 'text in 2 fragments, each frame on its own', { send: two, framewise: true, expect: [whole], close: 1000 });
autobahn('5.5', G5, 'text in 2 fragments, byte by byte', { send: two, chunkSize: 1, expect: [whole], close: 1000 });
const withPing = [text('fragment1', false), { opcode: PING, payload: 'ping payload' }, cont('fragment2')];
const pongThenWhole = [echo(PONG, 'ping payload'), whole];
autobahn('5.6', G5, 'text in 2 fragments, a ping between: answered first', { send: withPing, expect: pongThenWhole, close: 1000 });
autobahn('5.7', G5, 'text in 2 fragments, a ping between, each frame on its own', { send: withPing, framewise: true, expect: pongThenWhole, close: 1000 });
autobahn('5.8', G5, 'text in 2 fragments, a ping between, byte by byte', { send: withPing, chunkSize: 1, expect: pongThenWhole, close: 1000 });
const nothingToContinue = (fin: boolean): FrameSpec[] => [cont('fragment1', fin), text('fragment2'), cont('fragment3')];
const ways = [{}, { framewise: true }, { chunkSize: 1 }];
const wayName = ['', ', each frame on its own', ', byte by byte'];
ways.forEach((way, i) => {
  autobahn(`5.${9 + i}`, G5, `continuation (fin) with nothing to continue, then text${wayName[i]}`, { send: nothingToContinue(true), ...way, expect: [], close: 1002 });
  autobahn(`5.${12 + i}`, G5, `continuation (not fin) with nothing to continue, then text${wayName[i]}`, { send: nothingToContinue(false), ...way, expect: [], close: 1002 });
});
autobahn('5.15', G5, 'text in 2 fragments, then a continuation with nothing to continue, then text', {
  send: [text('fragment1', false), cont('fragment2'), cont('fragment3', false), text('fragment4')],
  expect: [whole],
  close: 1002,
});
const twice = (first: FrameSpec): FrameSpec[] => [first, text('fragment2', false), cont('fragment3'), first, text('fragment2', false), cont('fragment3')];
autobahn('5.16', G5, '2x: continuation (not fin) with nothing to continue, text fragment, continuation', { send: twice(cont('fragment1', false)), expect: [], close: 1002 });
autobahn('5.17', G5, '2x: continuation (fin) with nothing to continue, text fragment, continuation', { send: twice(cont('fragment1')), expect: [], close: 1002 });
autobahn('5.18', G5, 'text in 2 fragments, both with the text opcode', { send: [text('fragment1', false), text('fragment2')], expect: [], close: 1002 });
const five = [
  text('fragment1', false),
  cont('fragment2', false),
  { opcode: PING, payload: 'pongme 1!' },
  cont('fragment3', false),
  cont('fragment4', false),
  { opcode: PING, payload: 'pongme 2!' },
  cont('fragment5'),
];
const fiveAnswers = [echo(PONG, 'pongme 1!'), echo(PONG, 'pongme 2!'), echo(TEXT, 'fragment1fragment2fragment3fragment4fragment5')];
autobahn('5.19', G5, 'text in 5 fragments, 2 pings between; the first pong awaited before the rest', { send: five, pauseAfter: 3, expect: fiveAnswers, close: 1000 });
autobahn('5.20', G5, 'as 5.19, each frame on its own', { send: five, pauseAfter: 3, framewise: true, expect: fiveAnswers, close: 1000 });
add(G5, 'binary in 3 fragments', { send: [{ opcode: BINARY, payload: bytes(5), fin: false }, cont(bytes(6), false), cont(bytes(7))], expect: [echo(BINARY, Buffer.concat([bytes(5), bytes(6), bytes(7)]))], close: 1000 });
add(G5, 'empty fragments', { send: [text('', false), cont('', false), cont('')], expect: [echo(TEXT, '')], close: 1000 });
add(G5, 'pong between fragments: ignored', { send: [text('frag', false), { opcode: PONG, payload: 'p' }, cont('ment')], expect: [echo(TEXT, 'fragment')], close: 1000 });
add(G5, 'continuation after a complete message', { send: [text('done'), cont('late')], expect: [echo(TEXT, 'done')], close: 1002 });

// 10 Masking (§5.3): every frame a client sends is masked with a fresh key; a server never masks.
// The runner checks the direction of every frame of every case; these cases add what is left.
autobahn('10.1.1', '10 Masking', 'text of 65536 bytes in fragments of 1300 bytes', {
  send: Array.from({ length: 51 }, (_, i) => (i ? cont : text)('*'.repeat(Math.min(1300, 65536 - i * 1300)), i === 50)), // 50 x 1300 + 536
  expect: [echo(TEXT, '*'.repeat(65536))],
  close: 1000,
});
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

export const FRAMING_CASES: readonly ConformanceCase[] = list.cases;
