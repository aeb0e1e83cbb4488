// Issue 15 item 5: httpRequest buffers at most maxBodyBytes (100 MiB by default) of a decoded
// body: a gzip bomb fails with BODY_TOO_LARGE instead of taking the memory; stream: true reads on.
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { lastValueFrom } from 'rxjs';
import { httpRequest, HttpError, DEFAULT_MAX_BODY_BYTES } from 'rxws/http';
import { startHttpServer, type TestHttpServer } from '../http/servers';
import { killProbesAfterEach, runProbe } from './probes';
import type { HttpProbeReport } from './http-probe';

const MiB = 1024 * 1024;
killProbesAfterEach();

/** A gzip body that decodes to `mib` MiB of zeros. */
async function gzipBomb(mib: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gzip.on('data', (c: Buffer) => parts.push(c));
  const zeros = Buffer.alloc(MiB);
  for (let i = 0; i < mib; i++) if (!gzip.write(zeros)) await once(gzip, 'drain');
  gzip.end();
  await once(gzip, 'end');
  return Buffer.concat(parts);
}

describe('httpRequest(): maxBodyBytes', () => {
  let server: TestHttpServer;
  let bomb: Buffer;

  beforeAll(async () => {
    bomb = await gzipBomb(300);
  });

  beforeEach(async () => {
    server = await startHttpServer((req, res) => {
      if (req.url === '/small') return void res.end('x'.repeat(2000));
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
      res.end(bomb);
    });
  });

  afterEach(async () => {
    await server.close();
  });

  it('is 100 MiB by default', () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(100 * MiB);
  });

  it('a 300 KB gzip body decoding to 300 MiB fails with BODY_TOO_LARGE at the default, within 280 MB RSS', async () => {
    const report = await runProbe<HttpProbeReport>('http-probe.ts', { url: `${server.url}/bomb`, options: {} });
    expect(report).toMatchObject({ outcome: 'error', code: 'BODY_TOO_LARGE', bodyBytes: 0 });
    expect(report.reason).toMatch(/over maxBodyBytes \(104857600 bytes, after gzip decoding\); raise maxBodyBytes, or read it with stream: true/);
    expect(report.maxRssBytes).toBeLessThan(280 * MiB);
  });

  it('stream: true still reads the whole decoded body, chunk by chunk', async () => {
    const report = await runProbe<HttpProbeReport>('http-probe.ts', { url: `${server.url}/bomb`, options: { stream: true } });
    expect(report).toMatchObject({ outcome: 'response', bodyBytes: 300 * MiB });
  });

  it('a smaller maxBodyBytes applies to plain bodies too; a body of exactly that size is fine', async () => {
    const err = await lastValueFrom(httpRequest(`${server.url}/small`, { maxBodyBytes: 1999 })).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ code: 'BODY_TOO_LARGE', status: 200 });
    const ok = await lastValueFrom(httpRequest(`${server.url}/small`, { maxBodyBytes: 2000 }));
    expect(ok.type === 'response' && ok.body.length).toBe(2000);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses maxBodyBytes %p with Invalid', async (maxBodyBytes) => {
    const err = await lastValueFrom(httpRequest(`${server.url}/small`, { maxBodyBytes })).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_OPTIONS' });
    expect((err as HttpError).reason).toMatch(/maxBodyBytes must be/);
  });
});
