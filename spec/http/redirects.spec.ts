import { HttpError, httpRequest, redirectsToGet } from 'rxws/http';
import { record } from '../helpers/observe';
import { readAll, responseOf, startHttpServer, type TestHttpServer } from './servers';

interface Seen {
  method: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

describe('redirectsToGet() (Fetch redirect method rules)', () => {
  it.each([
    [301, 'POST', true],
    [302, 'POST', true],
    [303, 'POST', true],
    [303, 'PUT', true],
    [303, 'GET', true],
    [303, 'HEAD', false],
    [301, 'PUT', false],
    [302, 'DELETE', false],
    [307, 'POST', false],
    [308, 'POST', false],
  ])('%i after %s turns into GET: %s', (status, method, expected) => {
    expect(redirectsToGet(status, method)).toBe(expected);
  });
});

describe('httpRequest(): redirects', () => {
  let server: TestHttpServer;
  let other: TestHttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    await other?.close();
    other = undefined;
  });

  // /r/<status>/<n> redirects n times with that status, then /final echoes the request.
  const startRedirector = async (): Promise<void> => {
    server = await startHttpServer(async (req, res) => {
      const body = (await readAll(req)).toString();
      const [, kind, status, count] = (req.url ?? '').split('/');
      if (kind === 'r') {
        const left = Number(count) - 1;
        res.writeHead(Number(status), { location: left > 0 ? `/r/${status}/${left}` : '/final' });
        return res.end('moved');
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, body, headers: req.headers }));
    });
  };
  const follow = async (path: string, options: Parameters<typeof httpRequest>[1]) => {
    const response = await responseOf(httpRequest(server.url + path, options));
    return { response, seen: response.json<Seen>() };
  };

  it.each([301, 302])('turns POST into a body-less GET on %i, as browsers do', async (status) => {
    await startRedirector();
    const { response, seen } = await follow(`/r/${status}/1`, { json: { a: 1 } });
    expect(response).toMatchObject({ status: 200, url: `${server.url}/final`, redirects: 1 });
    expect(seen).toMatchObject({ method: 'GET', body: '' });
    expect(seen.headers['content-type']).toBeUndefined();
    expect(seen.headers['content-length']).toBeUndefined();
  });

  it('keeps PUT and its body on 301', async () => {
    await startRedirector();
    const { seen } = await follow('/r/301/1', { method: 'PUT', body: 'data' });
    expect(seen).toMatchObject({ method: 'PUT', body: 'data' });
  });

  it('turns any method into GET without a body on 303', async () => {
    await startRedirector();
    const { seen } = await follow('/r/303/1', { method: 'DELETE', body: 'data' });
    expect(seen).toMatchObject({ method: 'GET', body: '' });
  });

  it.each([307, 308])('keeps the method and body on %i', async (status) => {
    await startRedirector();
    const { response, seen } = await follow(`/r/${status}/2`, { method: 'POST', form: { k: 'v' } });
    expect(response.redirects).toBe(2);
    expect(seen).toMatchObject({ method: 'POST', body: 'k=v' });
    expect(seen.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('emits sent for each request and upload progress again after a 307', async () => {
    await startRedirector();
    const events = (await record(httpRequest(server.url + '/r/307/1', { body: 'x'.repeat(10) }))).values;
    expect(events.filter((e) => e.type === 'sent').map((e) => e.type === 'sent' && e.url)).toEqual([
      `${server.url}/r/307/1`,
      `${server.url}/final`,
    ]);
    expect(events.filter((e) => e.type === 'uploadProgress')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'responseHeader')).toHaveLength(1);
  });

  it('follows up to maxRedirects (default 5)', async () => {
    await startRedirector();
    const { response } = await follow('/r/302/5', {});
    expect(response.redirects).toBe(5);
  });

  it('fails with TOO_MANY_REDIRECTS past the limit', async () => {
    await startRedirector();
    const rec = await record(httpRequest(server.url + '/r/302/3', { maxRedirects: 2 }));
    expect(rec.error).toBeInstanceOf(HttpError);
    expect(rec.error).toMatchObject({ code: 'TOO_MANY_REDIRECTS', status: 302 });
    expect((rec.error as HttpError).reason).toMatch(/maxRedirects is 2/);
    expect(rec.values.some((e) => e.type === 'response')).toBe(false);
  });

  it('returns the redirect itself with followRedirects: false', async () => {
    await startRedirector();
    const response = await responseOf(httpRequest(server.url + '/r/302/1', { followRedirects: false }));
    expect(response).toMatchObject({ status: 302, redirects: 0, url: `${server.url}/r/302/1` });
    expect(response.headers.location).toBe('/final');
    expect(response.text()).toBe('moved');
  });

  it('keeps credentials on a same-origin redirect', async () => {
    await startRedirector();
    const { seen } = await follow('/r/302/1', { headers: { Authorization: 'Bearer x', Cookie: 'c=1' } });
    expect(seen.headers).toMatchObject({ authorization: 'Bearer x', cookie: 'c=1' });
  });

  it('drops Authorization and Cookie on a cross-origin redirect, keeping other headers', async () => {
    await startRedirector();
    const target = server.url.replace('127.0.0.1', 'localhost'); // same server, another origin
    other = await startHttpServer((_req, res) => {
      res.writeHead(302, { location: `${target}/final` });
      res.end();
    });
    const response = await responseOf(httpRequest(other.url, { headers: { Authorization: 'Bearer x', Cookie: 'c=1', 'X-Keep': 'yes' } }));
    expect(response.url).toBe(`${target}/final`);
    const seen = response.json<Seen>();
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers['x-keep']).toBe('yes');
  });

  it('returns a 3xx without Location as a normal response', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(301);
      res.end();
    });
    expect((await responseOf(httpRequest(server.url))).status).toBe(301);
  });

  it('fails with INVALID_URL on a redirect to an unsupported scheme', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(302, { location: 'ftp://127.0.0.1/file' });
      res.end();
    });
    const rec = await record(httpRequest(server.url));
    expect(rec.error).toMatchObject({ code: 'INVALID_URL', status: 302 });
    expect((rec.error as HttpError).reason).toMatch(/only http: and https:/);
  });
});
