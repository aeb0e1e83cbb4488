import { randomBytes } from 'node:crypto';
import { parseChatMessage, encodeChatMessage } from '../../src/cli/chat';
import { Djb2, djb2, encodePdu, parsePdu, pduText } from '../../src/cli/ix-pdu';

/** djb2 as IXWebSocket computes it, with 64-bit wrap-around, the slow obvious way. */
function referenceDjb2(data: Uint8Array): string {
  let hash = 5381n;
  for (const byte of data) hash = (hash * 33n + BigInt(byte)) & 0xffffffffffffffffn;
  return hash.toString();
}

describe("IXWebSocket's PDU format", () => {
  it('writes one sorted line per field, `name <hex>`, as IXPdu.h serializes a std::map', () => {
    expect(encodePdu({ user: 'bob', text: 'hi' }).toString('latin1')).toBe('text 6869\nuser 626f62\n');
  });

  it('reads what it writes, binary values byte for byte', () => {
    const content = randomBytes(1000);
    const pdu = parsePdu(encodePdu({ kind: 'send', content, filename: 'é.bin' }));
    expect(pdu?.get('content')?.equals(content)).toBe(true);
    expect(pdu && pduText(pdu, 'filename')).toBe('é.bin');
    expect(pdu && pduText(pdu, 'missing')).toBe('');
  });

  it('accepts upper-case hex and blank lines, as IXWebSocket does', () => {
    expect(parsePdu(Buffer.from('\nid 4142\n\nx 4A\n'))?.get('x')?.toString()).toBe('J');
  });

  it.each([['not hex', 'id zz\n'], ['odd digits', 'id 414\n'], ['no space', 'id\n'], ['JSON', '{"user":"a","text":"b"}'], ['empty', '']])(
    'refuses %s (so other traffic is told apart)',
    (_what, text) => {
      expect(parsePdu(Buffer.from(text))).toBeUndefined();
    },
  );

  it('encodes the example of docs/cli.md', () => {
    const content = Buffer.from('hello\n');
    expect(djb2(content)).toBe('6953583002563');
    expect(encodePdu({ kind: 'send', id: '42', filename: 'hello.txt', content, djb2_hash: djb2(content) }).toString()).toBe(
      'content 68656c6c6f0a\ndjb2_hash 36393533353833303032353633\nfilename 68656c6c6f2e747874\nid 3432\nkind 73656e64\n',
    );
  });

  it('djb2: 5381 for nothing, unsigned bytes, 64-bit wrap-around, in pieces or at once', () => {
    expect(djb2(new Uint8Array(0))).toBe('5381');
    expect(djb2(Uint8Array.of(0xff))).toBe(String(5381 * 33 + 255));
    const data = randomBytes(100_000);
    expect(djb2(data)).toBe(referenceDjb2(data));
    expect(new Djb2().update(data.subarray(0, 777)).update(data.subarray(777)).digest()).toBe(referenceDjb2(data));
  });

  it('chat: a binary PDU with user and text; the JSON of earlier versions is still read', () => {
    const wire = encodeChatMessage({ user: 'alice', text: 'hello' });
    expect(Buffer.from(wire).toString('latin1')).toBe('text 68656c6c6f\nuser 616c696365\n');
    expect(parseChatMessage(wire)).toEqual({ user: 'alice', text: 'hello' });
    expect(parseChatMessage('{"user":"bob","text":"hi"}')).toEqual({ user: 'bob', text: 'hi' });
    expect(parseChatMessage(encodePdu({ kind: 'send', content: 'x' }))).toBeUndefined();
  });
});
