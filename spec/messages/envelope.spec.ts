import { binary, json, msgpack, text } from '../../src/messages/codecs';
import { envelopeProblem, errEnvelope, MessageError, newSessionId, readEnvelope, SESSION_PATTERN } from '../../src/messages/envelope';

describe('envelope', () => {
  it.each([
    [{ k: 'hello', v: 1, session: 'abcdefgh' }],
    [{ k: 'msg', body: { x: 1 } }],
    [{ k: 'req', id: 1, target: 'add', body: [1, 2] }],
    [{ k: 'req', id: 2, target: 'add', from: 3 }],
    [{ k: 'next', id: 1, n: 0, body: null }],
    [{ k: 'res', id: 1, body: 5 }],
    [{ k: 'done', id: 1 }],
    [{ k: 'err', code: 'DECODE_FAILED', message: 'x' }],
    [{ k: 'err', id: 4, code: 'UNKNOWN_TARGET', message: 'x', data: [1] }],
    [{ k: 'cancel', id: 9 }],
    [{ k: 'sub', id: 3, channel: 'news', resume: { epoch: 'e1', offset: 10 } }],
    [{ k: 'subok', id: 3, channel: 'news', recovered: false, epoch: 'e2', offset: 0 }],
    [{ k: 'unsub', channel: 'news' }],
    [{ k: 'pub', channel: 'news', body: 'x', epoch: 'e1', offset: 11 }],
  ])('accepts %j', (value) => {
    expect(envelopeProblem(value)).toBeUndefined();
  });

  it.each([
    [null, 'an envelope is an object'],
    [[1], 'an envelope is an object'],
    [{ k: 'zap' }, 'unknown envelope kind "zap"'],
    [{ k: 'req', id: 0, target: 'a' }, '"req" needs "id"'],
    [{ k: 'req', id: 1.5, target: 'a' }, '"req" needs "id"'],
    [{ k: 'req', id: 1, target: '' }, '"req" needs "target"'],
    [{ k: 'req', id: 1, target: 'x'.repeat(257) }, '"req" needs "target"'],
    [{ k: 'next', id: 1, body: 1 }, '"next" needs "n"'],
    [{ k: 'hello', v: 1, session: 'short' }, '"hello" needs "session"'],
    [{ k: 'err', id: 1, message: 'no code' }, '"err" needs "code"'],
    [{ k: 'sub', id: 1, channel: 'a', resume: { epoch: 1, offset: 0 } }, '"sub" needs "resume"'],
  ])('refuses %j, saying why', (value, why) => {
    expect(envelopeProblem(value)).toContain(why);
  });

  it('reads a frame into an envelope', () => {
    expect(readEnvelope(json(), '{"k":"res","id":1,"body":5}', false)).toEqual({ ok: true, envelope: { k: 'res', id: 1, body: 5 } });
  });

  it('reports a frame that does not decode as DECODE_FAILED with the raw frame and the cause', () => {
    const read = readEnvelope(json(), '{"k":', false);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error).toBeInstanceOf(MessageError);
    expect(read.error.code).toBe('DECODE_FAILED');
    expect(read.error.raw).toBe('{"k":');
    expect(read.error.cause).toBeInstanceOf(SyntaxError);
    expect(read.error.message).toMatch(/text frame of 5 characters with the json codec/);
  });

  it('reports a decoded value that is not an envelope as INVALID_ENVELOPE', () => {
    const read = readEnvelope(json(), '{"k":"req","id":1}', false);
    expect(read.ok ? undefined : read.error.code).toBe('INVALID_ENVELOPE');
  });

  it('keeps a handler error code, message and data; names others HANDLER_FAILED', () => {
    expect(errEnvelope(3, Object.assign(new Error('no funds'), { code: 'NO_FUNDS', data: { balance: 0 } }))).toEqual({ k: 'err', id: 3, code: 'NO_FUNDS', message: 'no funds', data: { balance: 0 } });
    expect(errEnvelope(3, new Error('boom'))).toEqual({ k: 'err', id: 3, code: 'HANDLER_FAILED', message: 'boom' });
    expect(errEnvelope(undefined, 'text')).toEqual({ k: 'err', code: 'HANDLER_FAILED', message: 'text' });
  });

  it('makes session ids of the documented shape, different each time', () => {
    const a = newSessionId();
    expect(a).toMatch(SESSION_PATTERN);
    expect(newSessionId()).not.toBe(a);
  });
});

describe('codecs', () => {
  it('json: text frames both ways, binary frames read as UTF-8', () => {
    const c = json<{ a: number }>();
    expect(c.encode({ a: 1 })).toBe('{"a":1}');
    expect(c.decode(new TextEncoder().encode('{"a":2}'), true)).toEqual({ a: 2 });
    expect(() => c.encode(undefined as unknown as { a: number })).toThrow(/cannot be sent as JSON/);
  });

  it('msgpack: binary frames, round trip, text frames refused', () => {
    const c = msgpack<{ a: number[] }>();
    const frame = c.encode({ a: [1, 2] });
    expect(frame).toBeInstanceOf(Uint8Array);
    expect(c.decode(frame as Uint8Array, true)).toEqual({ a: [1, 2] });
    expect(() => c.decode('x', false)).toThrow(/binary frames/);
  });

  it('text and binary pass frames through, converting between string and bytes', () => {
    expect(text().decode(new Uint8Array([104, 105]), true)).toBe('hi');
    expect(() => text().decode(new Uint8Array([0xff]), true)).toThrow();
    expect(binary().decode('hi', false)).toEqual(new Uint8Array([104, 105]));
  });
});
