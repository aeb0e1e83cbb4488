// Issue 15 item 6: a duration a timer cannot honour (Infinity, 2^31 ms or more, negative, NaN)
// is refused with the same clear reason by every entry point, instead of firing after 1 ms.
import { lastValueFrom } from 'rxjs';
import { backoffDelay, connect, keepAlive, reconnect, WebSocketClient, WebSocketError } from 'rxws';
import { httpRequest, HttpError, type HttpRequestOptions } from 'rxws/http';
import { serve, ServeOptionsError, type ServeOptions } from 'rxws/server';

const TOO_LONG = 2 ** 31;
const BAD = [Infinity, TOO_LONG, -1, Number.NaN];
const RULE = /must be a finite number of milliseconds from [01] to 2147483647/;

async function connectError(options: Parameters<typeof connect>[1]): Promise<WebSocketError> {
  try {
    await lastValueFrom(connect('ws://127.0.0.1:9', options));
  } catch (err) {
    return err as WebSocketError;
  }
  throw new Error('connect() did not fail');
}

describe('duration options: one rule everywhere', () => {
  it.each(BAD)('connect() refuses handshakeTimeoutMs and closeTimeoutMs of %p with INVALID_OPTIONS', async (ms) => {
    for (const options of [{ handshakeTimeoutMs: ms }, { closeTimeoutMs: ms }]) {
      const err = await connectError(options);
      expect(err).toBeInstanceOf(WebSocketError);
      expect(err.code).toBe('INVALID_OPTIONS');
      expect(err.reason).toMatch(RULE);
    }
  });

  it('says why a delay of 2^31 ms or more cannot be used', async () => {
    const err = await connectError({ handshakeTimeoutMs: TOO_LONG });
    expect(err.reason).toMatch(/handshakeTimeoutMs .* got 2147483648: timers cannot wait longer and would fire at once/);
  });

  it('still takes the longest honoured delay, 2^31 - 1 ms', () => {
    expect(() => keepAlive({ intervalMs: TOO_LONG - 1 })).not.toThrow();
    expect(() => backoffDelay(1, { maxWaitMs: TOO_LONG - 1 })).not.toThrow();
    expect(() => serve({ port: 0, handshakeTimeoutMs: TOO_LONG - 1, closeTimeoutMs: 0 }).close()).not.toThrow();
  });

  it.each(BAD)('keepAlive() refuses intervalMs and timeoutMs of %p', (ms) => {
    expect(() => keepAlive({ intervalMs: ms })).toThrow(RULE);
    expect(() => keepAlive({ intervalMs: 1000, timeoutMs: ms })).toThrow(RULE);
  });

  it.each(BAD)('reconnect() and backoffDelay() refuse minWaitMs and maxWaitMs of %p', (ms) => {
    expect(() => reconnect({ maxWaitMs: ms })).toThrow(RULE);
    expect(() => reconnect({ minWaitMs: ms, maxWaitMs: ms })).toThrow(RULE);
    expect(() => backoffDelay(1, { maxWaitMs: ms })).toThrow(RULE);
  });

  it.each(BAD)('WebSocketClient refuses keep-alive and reconnect durations of %p when constructed', (ms) => {
    expect(() => new WebSocketClient({ url: 'ws://127.0.0.1:9', keepAlive: { intervalMs: ms } })).toThrow(RULE);
    expect(() => new WebSocketClient({ url: 'ws://127.0.0.1:9', reconnect: { maxWaitMs: ms } })).toThrow(RULE);
  });

  it.each(BAD)('httpRequest() refuses connectTimeoutMs, transferTimeoutMs and timeoutMs of %p with Invalid', async (ms) => {
    for (const name of ['connectTimeoutMs', 'transferTimeoutMs', 'timeoutMs'] as const) {
      const options: HttpRequestOptions = { [name]: ms };
      const err = await lastValueFrom(httpRequest('http://127.0.0.1:9/', options)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HttpError);
      expect((err as HttpError).code).toBe('INVALID_OPTIONS');
      expect((err as HttpError).reason).toMatch(new RegExp(`options.${name} ${RULE.source}`));
    }
  });

  it.each(BAD)('serve() refuses handshakeTimeoutMs, closeTimeoutMs and pingIntervalMs of %p', (ms) => {
    for (const name of ['handshakeTimeoutMs', 'closeTimeoutMs', 'pingIntervalMs'] as const) {
      const options: ServeOptions = { port: 0, [name]: ms };
      expect(() => serve(options)).toThrow(ServeOptionsError);
      expect(() => serve(options)).toThrow(new RegExp(`${name} ${RULE.source}`));
    }
  });
});
