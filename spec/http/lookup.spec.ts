// Issue 15 item 18: httpRequest's lookup answers in either form Node knows (one address, or a
// list when Node asks with { all: true }), as connect()'s does: the same adapter serves both.
import * as net from 'node:net';
import { httpRequest } from 'rxws/http';
import type { LookupFunction } from 'rxws';
import { responseOf, startHttpServer, type TestHttpServer } from './servers';

describe('httpRequest(): the lookup option', () => {
  let server: TestHttpServer;
  const asked: boolean[] = [];
  const oneAddress: LookupFunction = (_host, options, callback) => {
    asked.push((options as { all?: boolean }).all === true);
    callback(null, '127.0.0.1', 4);
  };
  const list: LookupFunction = (_host, options, callback) => {
    asked.push((options as { all?: boolean }).all === true);
    callback(null, [{ address: '127.0.0.1', family: 4 }]);
  };

  beforeEach(async () => {
    asked.length = 0;
    server = await startHttpServer((req, res) => res.end(`host ${req.headers.host}`));
  });
  afterEach(async () => {
    net.setDefaultAutoSelectFamily(true);
    await server.close();
  });

  it.each([
    ['one address', true, oneAddress],
    ['a list', true, list],
    ['one address', false, oneAddress],
    ['a list', false, list],
  ] as Array<[string, boolean, LookupFunction]>)('a lookup answering %s reaches the server (autoSelectFamily %p)', async (_form, autoSelect, lookup) => {
    net.setDefaultAutoSelectFamily(autoSelect);
    const { port } = new URL(server.url);
    const response = await responseOf(httpRequest(`http://service.test:${port}/`, { lookup, keepAlive: false }));
    expect(response.status).toBe(200);
    expect(response.text()).toBe(`host service.test:${port}`);
    expect(asked).toHaveLength(1);
  });
});
