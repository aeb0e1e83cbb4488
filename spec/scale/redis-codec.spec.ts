import { randomBytes } from 'node:crypto';
import { decodeEnvelope, encodeEnvelope, ENVELOPE_VERSION, redisAdapter, redisReconnectStrategy } from 'rxws/redis';

const origin = randomBytes(16);

describe('the broadcast envelope', () => {
  it.each([
    ['text', { data: 'héllo ✓ 🎉', topics: undefined }],
    ['empty text', { data: '', topics: undefined }],
    ['binary', { data: new Uint8Array([0, 1, 254, 255]), topics: undefined }],
    ['binary with topics', { data: new Uint8Array(70_000).fill(7), topics: ['room:1', 'ünïcode', 'x'.repeat(1024)] }],
    ['text with no topics (reaches nobody)', { data: 'to nobody', topics: [] }],
  ])('round-trips %s', (_name, message) => {
    const envelope = encodeEnvelope(origin, message);
    expect(envelope[0]).toBe(ENVELOPE_VERSION);
    const decoded = decodeEnvelope(envelope);
    expect(decoded.origin.equals(origin)).toBe(true);
    expect(decoded.topics).toEqual(message.topics);
    if (typeof message.data === 'string') expect(decoded.data).toBe(message.data);
    else expect(Buffer.from(decoded.data as Uint8Array).equals(Buffer.from(message.data))).toBe(true);
  });

  it('keeps text and binary apart even when the bytes are the same', () => {
    expect(typeof decodeEnvelope(encodeEnvelope(origin, { data: 'AB', topics: undefined })).data).toBe('string');
    expect(decodeEnvelope(encodeEnvelope(origin, { data: Buffer.from('AB'), topics: undefined })).data).toBeInstanceOf(Uint8Array);
  });

  it('refuses what is not an envelope with a reason', () => {
    expect(() => decodeEnvelope(Buffer.from('hello'))).toThrow(/shorter than the 18-byte header/);
    const wrongVersion = encodeEnvelope(origin, { data: 'x', topics: undefined });
    wrongVersion[0] = 9;
    expect(() => decodeEnvelope(wrongVersion)).toThrow(/version byte is 9/);
    const cut = encodeEnvelope(origin, { data: '', topics: ['abcdef'] }).subarray(0, 22);
    expect(() => decodeEnvelope(cut)).toThrow(/runs past the end/);
  });
});

describe('redisReconnectStrategy', () => {
  const cause = new Error('connect ECONNREFUSED');

  it('waits as rxws reconnect does: 100 ms doubling up to maxWaitMs', () => {
    const strategy = redisReconnectStrategy({ maxWaitMs: 1000 });
    expect([0, 1, 2, 3, 4, 5].map((retries) => strategy(retries, cause))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('applies jitter and minWaitMs', () => {
    const strategy = redisReconnectStrategy({ minWaitMs: 150, jitter: 'equal', random: () => 0 });
    expect(strategy(0, cause)).toBe(150);
    expect(strategy(2, cause)).toBe(200);
  });

  it('gives up past maxRetries with an Error naming the cause', () => {
    const strategy = redisReconnectStrategy({ maxRetries: 2 });
    expect(strategy(1, cause)).toBe(200);
    const last = strategy(2, cause);
    expect(last).toBeInstanceOf(Error);
    expect((last as Error).message).toBe('gave up after 2 retries: connect ECONNREFUSED');
  });
});

describe('redisAdapter() options', () => {
  it.each([
    [{ url: 'http://localhost' }, /url must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ channel: '' }, /channel must be a non-empty string/],
    [{ publishTimeoutMs: 0 }, /publishTimeoutMs must be a finite number of milliseconds from 1/],
    [{ reconnect: { maxRetries: -1 } }, /reconnect.maxRetries must be a whole number >= 0 or Infinity/],
    [{ reconnect: { maxWaitMs: -5 } }, /maxWaitMs must be a finite number/],
  ])('refuses %j with a RedisAdapterError (INVALID_OPTIONS) naming the option', (options, message) => {
    expect(() => redisAdapter(options)).toThrow(message);
    expect(() => redisAdapter(options)).toThrow(expect.objectContaining({ name: 'RedisAdapterError', code: 'INVALID_OPTIONS' }));
  });

  it('makes an adapter without connecting until a server attaches it', async () => {
    const adapter = redisAdapter({ url: 'redis://127.0.0.1:1', channel: 'c' });
    expect(adapter.channel).toBe('c');
    expect(adapter.instanceId).toMatch(/^[0-9a-f]{32}$/);
    expect(adapter.isReady).toBe(false);
    await expect(adapter.publish({ data: 'x', topics: undefined })).rejects.toMatchObject({ code: 'CLOSED' });
    await adapter.close();
  });
});
