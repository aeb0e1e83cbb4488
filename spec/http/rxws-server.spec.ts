import { serve, type WebSocketServer } from 'rxws/server';
import { httpRequest } from 'rxws/http';
import { responseOf } from './servers';

describe('httpRequest() against rxws serve() onRequest', () => {
  let server: WebSocketServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('posts JSON and reads the JSON answer with the request it saw', async () => {
    server = serve({
      port: 0,
      host: '127.0.0.1',
      onRequest: (req) => ({
        status: req.method === 'POST' ? 201 : 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method: req.method, url: req.url, got: new TextDecoder().decode(req.body) }),
      }),
    });
    const { port } = await server.listening;
    const url = `http://127.0.0.1:${port}/items?x=1`;
    const created = await responseOf(httpRequest(url, { json: { name: 'a' } }));
    expect(created.status).toBe(201);
    expect(created.json()).toEqual({ method: 'POST', url: '/items?x=1', got: '{"name":"a"}' });
    const read = await responseOf(httpRequest(url));
    expect(read.json()).toMatchObject({ method: 'GET', got: '' });
  });
});
