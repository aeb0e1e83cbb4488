import { createHash, randomBytes } from 'node:crypto';
import { httpRequest, UPLOAD_CHUNK_BYTES, type HttpDownloadProgressEvent, type HttpEvent, type HttpUploadProgressEvent } from 'rxws/http';
import { allEvents, eventOrder, readAll, startHttpServer, type TestHttpServer } from './servers';

const FOUR_MIB = 4 * 1024 * 1024;
const uploads = (events: HttpEvent[]): HttpUploadProgressEvent[] =>
  events.filter((e): e is HttpUploadProgressEvent => e.type === 'uploadProgress');
const downloads = (events: HttpEvent[]): HttpDownloadProgressEvent[] =>
  events.filter((e): e is HttpDownloadProgressEvent => e.type === 'downloadProgress');
const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Loaded values only ever grow, and the last equals `end`. */
function expectMonotonic(loaded: number[], end: number): void {
  expect(loaded.length).toBeGreaterThan(1);
  loaded.forEach((n, i) => i > 0 && expect(n).toBeGreaterThan(loaded[i - 1]));
  expect(loaded[loaded.length - 1]).toBe(end);
}

describe('httpRequest(): progress', () => {
  let server: TestHttpServer;
  afterEach(async () => server?.close());

  it('reports upload progress in 64 KiB steps up to the exact total of a 4 MiB body', async () => {
    let received = '';
    server = await startHttpServer(async (req, res) => {
      received = sha(await readAll(req));
      res.end('ok');
    });
    const body = randomBytes(FOUR_MIB);
    const events = await allEvents(httpRequest(server.url, { method: 'PUT', body }));
    expect(eventOrder(events)).toEqual(['sent', 'uploadProgress', 'responseHeader', 'downloadProgress', 'response']);
    const progress = uploads(events);
    expect(progress).toHaveLength(FOUR_MIB / UPLOAD_CHUNK_BYTES);
    expect(progress.every((e) => e.total === FOUR_MIB)).toBe(true);
    expectMonotonic(progress.map((e) => e.loaded), FOUR_MIB);
    expect(received).toBe(sha(body));
    const response = events[events.length - 1];
    expect(response.type === 'response' && response.uploadedBytes).toBe(FOUR_MIB);
  });

  it('reports download progress up to the Content-Length of a 4 MiB body', async () => {
    const payload = randomBytes(FOUR_MIB);
    server = await startHttpServer((_req, res) => {
      res.setHeader('content-length', payload.length);
      res.end(payload);
    });
    const events = await allEvents(httpRequest(server.url));
    expect(eventOrder(events)).toEqual(['sent', 'responseHeader', 'downloadProgress', 'response']);
    const progress = downloads(events);
    expect(progress.every((e) => e.total === FOUR_MIB)).toBe(true);
    expectMonotonic(progress.map((e) => e.loaded), FOUR_MIB);
    const response = events[events.length - 1];
    if (response.type !== 'response') throw new Error('no response');
    expect(response.downloadedBytes).toBe(FOUR_MIB);
    expect(sha(response.body)).toBe(sha(payload));
  });

  it('reports an unknown total as undefined for a chunked body', async () => {
    server = await startHttpServer((_req, res) => {
      res.write('a'.repeat(1000));
      setImmediate(() => res.end('b'.repeat(1000)));
    });
    const progress = downloads(await allEvents(httpRequest(server.url)));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((e) => e.total === undefined)).toBe(true);
    expect(progress[progress.length - 1].loaded).toBe(2000);
  });

  it('streams the body as chunk events with stream: true, leaving the response body empty', async () => {
    const payload = randomBytes(FOUR_MIB);
    server = await startHttpServer((_req, res) => res.end(payload));
    const events = await allEvents(httpRequest(server.url, { stream: true }));
    const chunks = events.flatMap((e) => (e.type === 'chunk' ? [e.data] : []));
    expect(chunks.length).toBeGreaterThan(1);
    expect(sha(Buffer.concat(chunks))).toBe(sha(payload));
    const response = events[events.length - 1];
    expect(response.type === 'response' && response.body.length).toBe(0);
    expect(response.type === 'response' && response.downloadedBytes).toBe(FOUR_MIB);
    // Each chunk follows the progress event of the bytes it came in.
    expect(events.findIndex((e) => e.type === 'chunk')).toBeGreaterThan(events.findIndex((e) => e.type === 'downloadProgress'));
  });
});

describe('httpRequest(): early answers', () => {
  let server: TestHttpServer;
  afterEach(async () => server?.close());

  it('completes with a response the server sent before reading the body', async () => {
    server = await startHttpServer((req, res) => {
      res.writeHead(413, { connection: 'close' });
      res.end('too large');
      req.resume();
    });
    const events = await allEvents(httpRequest(server.url, { method: 'PUT', body: new Uint8Array(16 * 1024 * 1024) }));
    const response = events[events.length - 1];
    expect(response.type === 'response' && response.status).toBe(413);
  });
});
