// Autobahn's group 7 (close handling, RFC 6455 §5.5.1, §7.4), rxws's own limit cases of group 9
// (maxPayload) and of group 12 (frames that break permessage-deflate once it is agreed).
import { deflateRawSync, constants as zlibConstants } from 'node:zlib';
import { BINARY, CaseList, CLOSE, close, cont, CONT, echo, hex, PING, TEXT, text, type ConformanceCase, type Group } from './case-kit';
import type { DeflateSetup } from './runner';
import { KOSME } from './utf8-sequences';

const list = new CaseList();
const autobahn = list.autobahn.bind(list);
const add = list.add.bind(list);
const KOSME_SURROGATE = Buffer.concat([KOSME, hex('eda080'), Buffer.from('edited')]);
const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff));

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


export const CLOSE_AND_LIMIT_CASES: readonly ConformanceCase[] = list.cases;
