import { randomBytes } from 'node:crypto';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { HttpError, httpRequest } from 'rxws/http';
import { record } from '../helpers/observe';
import { allEvents, responseOf, startHttpServer, type TestHttpServer } from './servers';

const TEXT = 'compressible text, '.repeat(5000);
const ENCODERS: Record<string, (input: Buffer) => Buffer> = {
  gzip: gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync,
};

describe('httpRequest(): compression', () => {
  let server: TestHttpServer;
  afterEach(async () => server?.close());

  /** Serves `encoded` with the given Content-Encoding and records the Accept-Encoding asked for. */
  const serveEncoded = async (encoding: string, encoded: Buffer): Promise<{ accepted: () => string | undefined }> => {
    let accepted: string | undefined;
    server = await startHttpServer((req, res) => {
      accepted = req.headers['accept-encoding'];
      res.writeHead(200, { 'content-encoding': encoding, 'content-length': encoded.length });
      res.end(encoded);
    });
    return { accepted: () => accepted };
  };

  it.each(Object.keys(ENCODERS))('asks for gzip, deflate and br and decodes a %s body', async (encoding) => {
    const encoded = ENCODERS[encoding](Buffer.from(TEXT));
    const { accepted } = await serveEncoded(encoding, encoded);
    const events = await allEvents(httpRequest(server.url));
    const response = events[events.length - 1];
    if (response.type !== 'response') throw new Error('no response');
    expect(accepted()).toBe('gzip, deflate, br');
    expect(response.text()).toBe(TEXT);
    expect(response.headers['content-encoding']).toBe(encoding);
    // Progress and sizes count wire bytes, so they match Content-Length.
    expect(response.downloadedBytes).toBe(encoded.length);
    const last = events.filter((e) => e.type === 'downloadProgress').pop();
    expect(last).toEqual({ type: 'downloadProgress', loaded: encoded.length, total: encoded.length });
  });

  it('decodes raw deflate too, as browsers do', async () => {
    await serveEncoded('deflate', deflateRawSync(Buffer.from(TEXT)));
    expect((await responseOf(httpRequest(server.url))).text()).toBe(TEXT);
  });

  it('decodes a large gzip body streamed as chunks', async () => {
    const payload = randomBytes(2 * 1024 * 1024);
    await serveEncoded('gzip', gzipSync(payload));
    const events = await allEvents(httpRequest(server.url, { stream: true }));
    const chunks = events.flatMap((e) => (e.type === 'chunk' ? [e.data] : []));
    expect(Buffer.concat(chunks).equals(payload)).toBe(true);
  });

  it('neither asks for nor decodes compression with compress: false', async () => {
    const encoded = gzipSync(Buffer.from(TEXT));
    const { accepted } = await serveEncoded('gzip', encoded);
    const response = await responseOf(httpRequest(server.url, { compress: false }));
    expect(accepted()).toBeUndefined();
    expect(Buffer.from(response.body).equals(encoded)).toBe(true);
  });

  it('fails with code Gzip and a clear reason on a corrupt gzip body', async () => {
    const corrupt = Buffer.from(gzipSync(Buffer.from(TEXT)));
    corrupt.fill(0x41, 10, 40); // trample the deflate stream after the gzip header
    await serveEncoded('gzip', corrupt);
    const rec = await record(httpRequest(server.url + '/z'));
    expect(rec.error).toBeInstanceOf(HttpError);
    const err = rec.error as HttpError;
    expect(err).toMatchObject({ code: 'DECODING_FAILED', status: 200, url: `${server.url}/z` });
    expect(err.reason).toMatch(/Could not decode the gzip response body of .*\/z/);
    expect(rec.values.some((e) => e.type === 'response')).toBe(false);
  });

  it('fails with code Gzip on a truncated br body', async () => {
    const encoded = brotliCompressSync(randomBytes(100_000));
    await serveEncoded('br', encoded.subarray(0, encoded.length - 100));
    const rec = await record(httpRequest(server.url));
    expect(rec.error).toMatchObject({ code: 'DECODING_FAILED' });
  });

  it('passes an unknown encoding through undecoded', async () => {
    await serveEncoded('x-custom', Buffer.from('raw'));
    expect((await responseOf(httpRequest(server.url))).text()).toBe('raw');
  });
});
