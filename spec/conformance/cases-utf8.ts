// Autobahn's group 6 (UTF-8 in text messages, RFC 6455 §8.1): 6.1 – 6.23, each decoder test
// sequence also split at every byte, and rxws's own split and invalid cases.
import type { FrameSpec } from '../helpers/raw-peer';
import { CaseList, cont, echo, hex, TEXT, text, type ConformanceCase, type ExpectedFrame } from './case-kit';
import { KOSME, UTF8_SUBGROUPS } from './utf8-sequences';

const list = new CaseList();
const autobahn = list.autobahn.bind(list);
const add = list.add.bind(list);

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


export const UTF8_CASES: readonly ConformanceCase[] = list.cases;
