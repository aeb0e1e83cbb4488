import { gunzipSync } from 'node:zlib';
import { httpRequest } from 'rxws/http';
import { readAll, responseOf, startHttpServer, type TestHttpServer } from './servers';

/** What the echo server saw of a request. */
interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('httpRequest(): methods, headers and bodies', () => {
  let server: TestHttpServer;
  afterEach(async () => server?.close());

  // Answers with a JSON description of the request it got.
  const startEcho = async (): Promise<void> => {
    server = await startHttpServer(async (req, res) => {
      const raw = await readAll(req);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const seen: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString('latin1') };
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('x-multi', ['a', 'b']);
      res.end(JSON.stringify(seen));
    });
  };
  const seenBy = async (path: string, options: Parameters<typeof httpRequest>[1] = {}): Promise<Seen> => {
    const response = await responseOf(httpRequest(server.url + path, options));
    expect(response.status).toBe(200);
    return response.json<Seen>();
  };

  it.each(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'])('sends %s', async (method) => {
    await startEcho();
    const response = await responseOf(httpRequest(`${server.url}/m?x=1`, { method }));
    expect(response.status).toBe(200);
    if (method === 'HEAD') {
      expect(response.body.length).toBe(0);
      return;
    }
    expect(response.json<Seen>()).toMatchObject({ method, url: '/m?x=1' });
  });

  it('upper-cases standard methods given in lower case', async () => {
    await startEcho();
    expect((await seenBy('/', { method: 'patch' })).method).toBe('PATCH');
  });

  it('returns status, statusText, lower-case headers, url and sizes in the response', async () => {
    await startEcho();
    const response = await responseOf(httpRequest(server.url + '/here', { body: 'abc' }));
    expect(response).toMatchObject({ status: 200, statusText: 'OK', url: server.url + '/here', redirects: 0, uploadedBytes: 3 });
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['x-multi']).toBe('a, b');
    expect(response.downloadedBytes).toBe(response.body.length);
    expect(response.body).toBeInstanceOf(Uint8Array);
    expect(response.text()).toContain('"method":"POST"');
  });

  it('sends the given headers, overriding the ones rxws adds', async () => {
    await startEcho();
    const seen = await seenBy('/', { headers: { 'X-Token': 't1', 'User-Agent': 'mine/1', Accept: 'text/plain' } });
    expect(seen.headers).toMatchObject({ 'x-token': 't1', 'user-agent': 'mine/1', accept: 'text/plain', 'accept-encoding': 'gzip, deflate, br' });
  });

  it('sends a string body as UTF-8 with POST by default', async () => {
    await startEcho();
    const seen = await seenBy('/', { body: 'héllo' });
    expect(seen.method).toBe('POST');
    expect(Buffer.from(seen.body, 'latin1').toString('utf8')).toBe('héllo');
    expect(seen.headers['content-length']).toBe('6');
  });

  it('sends a Uint8Array body byte for byte', async () => {
    await startEcho();
    const bytes = Uint8Array.from([0, 1, 2, 255, 254]);
    const seen = await seenBy('/', { method: 'PUT', body: bytes });
    expect([...Buffer.from(seen.body, 'latin1')]).toEqual([...bytes]);
  });

  it('sends form fields urlencoded', async () => {
    await startEcho();
    const seen = await seenBy('/', { form: { a: '1', 'b c': 'd&e=f' } });
    expect(seen.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(seen.body))).toEqual({ a: '1', 'b c': 'd&e=f' });
  });

  it('sends json with its content type', async () => {
    await startEcho();
    const seen = await seenBy('/', { method: 'PATCH', json: { n: 1, list: ['x'] } });
    expect(seen.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen.body)).toEqual({ n: 1, list: ['x'] });
  });

  it('sends multipart form data with fields and files', async () => {
    await startEcho();
    const file = Uint8Array.from([1, 2, 3, 0, 200]);
    const seen = await seenBy('/', {
      multipart: {
        name: 'report',
        tags: ['a', 'b'],
        upload: { data: file, filename: 'data.bin', contentType: 'application/x-test' },
        note: { data: 'text file', filename: 'note.txt' },
      },
    });
    const contentType = String(seen.headers['content-type']);
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    // Parse it back with the platform's parser.
    const form = await new Response(Buffer.from(seen.body, 'latin1'), { headers: { 'content-type': contentType } }).formData();
    expect(form.get('name')).toBe('report');
    expect(form.getAll('tags')).toEqual(['a', 'b']);
    const upload = form.get('upload') as File;
    expect(upload.name).toBe('data.bin');
    expect(upload.type).toBe('application/x-test');
    expect([...new Uint8Array(await upload.arrayBuffer())]).toEqual([...file]);
    expect(await (form.get('note') as File).text()).toBe('text file');
  });

  it('gzips the request body with gzipBody', async () => {
    await startEcho();
    const text = 'squeeze me '.repeat(1000);
    const response = await responseOf(httpRequest(server.url, { body: text, gzipBody: true }));
    const seen = response.json<Seen>();
    expect(seen.headers['content-encoding']).toBe('gzip');
    expect(seen.body).toBe(text);
    expect(response.uploadedBytes).toBeLessThan(text.length / 10);
  });

  it('lets a user Content-Type win over the one a body option sets', async () => {
    await startEcho();
    const seen = await seenBy('/', { json: [1], headers: { 'Content-Type': 'application/vnd.test+json' } });
    expect(seen.headers['content-type']).toBe('application/vnd.test+json');
  });

  it('reports a status >= 400 as a normal response, with its body', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(404, 'Nope', { 'content-type': 'text/plain' });
      res.end('missing');
    });
    const response = await responseOf(httpRequest(server.url + '/x'));
    expect(response).toMatchObject({ status: 404, statusText: 'Nope' });
    expect(response.text()).toBe('missing');
  });

  it('decodes text in the charset the Content-Type names', async () => {
    server = await startHttpServer((_req, res) => {
      res.setHeader('content-type', 'text/plain; charset=iso-8859-1');
      res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    });
    expect((await responseOf(httpRequest(server.url))).text()).toBe('café');
  });
});
