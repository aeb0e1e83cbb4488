// The UTF-8 decoder test sequences of Autobahn's cases 6.5 to 6.23, which come from Markus
// Kuhn's UTF-8-test.txt (https://www.cl.cam.ac.uk/~mgk25/ucs/examples/UTF-8-test.txt): each
// subgroup is a list of payloads, valid or not as RFC 3629 defines UTF-8.

export interface Utf8Subgroup {
  title: string;
  sequences: Array<{ valid: boolean; payload: Buffer }>;
}

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');
const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const all = (valid: boolean, ...payloads: Buffer[]): Utf8Subgroup['sequences'] => payloads.map((payload) => ({ valid, payload }));

/** κόσμε, Greek for "cosmos": 2-, 3-, 2-, 2- and 2-byte code points. */
export const KOSME = hex('cebae1bdb9cf83cebcceb5');

/** Ends of each code point of κόσμε: a prefix is valid exactly when it ends at one of them. */
const KOSME_ENDS = new Set([2, 5, 7, 9, 11]);

/** Bytes from..to-1, each followed by a space (a start byte with no continuation). */
function lonelyStarts(from: number, to: number): Buffer {
  const bytes: number[] = [];
  for (let b = from; b < to; b++) bytes.push(b, 0x20);
  return Buffer.from(bytes);
}

const LAST_BYTE_MISSING = ['c0', 'e080', 'f08080', 'f8808080', 'fc80808080', 'df', 'efbf', 'f7bfbf', 'fbbfbfbf', 'fdbfbfbfbf'].map(hex);

/** Non-characters U+FFFE, U+FFFF and U+nFFFE, U+nFFFF of the planes 1 to 16. */
function nonCharacters(): Buffer[] {
  const out = [hex('efbfbe'), hex('efbfbf')];
  for (const b1 of [0xf0, 0xf1, 0xf2, 0xf3, 0xf4]) {
    for (const b2 of [0x8f, 0x9f, 0xaf, 0xbf]) {
      if (b1 === 0xf4 && b2 !== 0x8f) continue; // above U+10FFFF
      if (b1 === 0xf0 && b2 === 0x8f) continue; // overlong
      for (const b4 of [0xbe, 0xbf]) out.push(Buffer.from([b1, b2, 0xbf, b4]));
    }
  }
  return out;
}

/** Autobahn's subgroups 6.5 … 6.23, in order. */
export const UTF8_SUBGROUPS: Utf8Subgroup[] = [
  {
    title: 'some valid UTF-8 sequences',
    sequences: all(true, ascii('hello$world'), hex('68656c6c6f c2a2 776f726c64'), hex('68656c6c6f e282ac 776f726c64'), hex('68656c6c6f f0a4ada2 776f726c64'), KOSME),
  },
  {
    title: 'all prefixes of a valid UTF-8 string with multi-byte code points',
    sequences: Array.from({ length: KOSME.length }, (_, i) => ({ valid: KOSME_ENDS.has(i + 1), payload: KOSME.subarray(0, i + 1) })),
  },
  { title: 'first possible sequence of a certain length', sequences: all(true, hex('00'), hex('c280'), hex('e0a080'), hex('f0908080')) },
  { title: 'first possible sequence of length 5/6 (invalid code points)', sequences: all(false, hex('f888808080'), hex('fc8480808080')) },
  { title: 'last possible sequence of a certain length', sequences: all(true, hex('7f'), hex('dfbf'), hex('efbfbf'), hex('f48fbfbf')) },
  { title: 'last possible sequence of length 4/5/6 (invalid code points)', sequences: all(false, hex('f7bfbfbf'), hex('fbbfbfbfbf'), hex('fdbfbfbfbfbf')) },
  {
    title: 'other boundary conditions',
    sequences: [...all(true, hex('ed9fbf'), hex('ee8080'), hex('efbfbd'), hex('f48fbfbf')), ...all(false, hex('f4908080'))],
  },
  {
    title: 'unexpected continuation bytes',
    sequences: all(false, hex('80'), hex('bf'), hex('80bf'), hex('80bf80'), hex('80bf80bf'), hex('80bf80bf80'), hex('80bf80bf80bf'), Buffer.from(Array.from({ length: 0x3f }, (_, i) => 0x80 + i))),
  },
  {
    title: 'lonely start characters',
    sequences: all(false, lonelyStarts(0xc0, 0xdf), lonelyStarts(0xe0, 0xef), lonelyStarts(0xf0, 0xf7), lonelyStarts(0xf8, 0xfb), lonelyStarts(0xfc, 0xfd)),
  },
  { title: 'sequences with the last continuation byte missing', sequences: all(false, ...LAST_BYTE_MISSING) },
  { title: 'concatenation of incomplete sequences', sequences: all(false, Buffer.concat(LAST_BYTE_MISSING)) },
  { title: 'impossible bytes', sequences: all(false, hex('fe'), hex('ff'), hex('fefeffff')) },
  { title: 'overlong ASCII character', sequences: all(false, hex('c0af'), hex('e080af'), hex('f08080af'), hex('f8808080af'), hex('fc80808080af')) },
  { title: 'maximum overlong sequences', sequences: all(false, hex('c1bf'), hex('e09fbf'), hex('f08fbfbf'), hex('f887bfbfbf'), hex('fc83bfbfbfbf')) },
  { title: 'overlong NUL character', sequences: all(false, hex('c080'), hex('e08080'), hex('f0808080'), hex('f880808080'), hex('fc8080808080')) },
  { title: 'single UTF-16 surrogates', sequences: all(false, ...['eda080', 'edadbf', 'edae80', 'edafbf', 'edb080', 'edbe80', 'edbfbf'].map(hex)) },
  {
    title: 'paired UTF-16 surrogates',
    sequences: all(false, ...['eda080edb080', 'eda080edbfbf', 'edadbfedb080', 'edadbfedbfbf', 'edae80edb080', 'edae80edbfbf', 'edafbfedb080', 'edafbfedbfbf'].map(hex)),
  },
  { title: 'non-character code points (valid UTF-8)', sequences: all(true, ...nonCharacters()) },
  { title: 'Unicode specials (e.g. the replacement character)', sequences: all(true, ...['efbfb9', 'efbfba', 'efbfbb', 'efbfbc', 'efbfbd', 'efbfbe', 'efbfbf'].map(hex)) },
];
