import * as net from 'node:net';
import { connect, type LookupFunction, type WebSocketEvent, type WebSocketOpenEvent } from 'rxws';
import { firstMatch, record } from '../helpers/observe';
import { startEchoServer, type TestWsServer } from '../helpers/ws-server';

const isOpen = (e: WebSocketEvent): e is WebSocketOpenEvent => e.type === 'open';

// Node's net.connect calls `lookup` with `{ all: true }` and wants an array when it may try
// IPv4 and IPv6 in turn (autoSelectFamily, the default since Node 20), else one address.
// connect() takes a lookup answering in either form.
describe('connect(): the lookup option', () => {
  let server: TestWsServer;
  const asked: boolean[] = [];
  const plain: LookupFunction = (_host, options, callback) => {
    asked.push((options as { all?: boolean }).all === true);
    callback(null, '127.0.0.1', 4);
  };
  const list: LookupFunction = (_host, options, callback) => {
    asked.push((options as { all?: boolean }).all === true);
    callback(null, [{ address: '127.0.0.1', family: 4 }]);
  };
  const opens = async (lookup: LookupFunction): Promise<void> => {
    const url = `ws://service.test:${server.port}/`;
    const { value, subscription } = firstMatch(connect(url, { lookup }), isOpen);
    expect((await value).url).toBe(url);
    subscription.unsubscribe();
  };

  beforeEach(async () => {
    asked.length = 0;
    server = await startEchoServer();
  });
  afterEach(async () => {
    net.setDefaultAutoSelectFamily(true);
    await server.close();
  });

  it('a lookup that answers one address connects when Node asks for all of them', async () => {
    net.setDefaultAutoSelectFamily(true);
    await opens(plain);
    expect(asked).toEqual([true]);
  });

  it('a lookup that answers an array connects when Node asks for all of them', async () => {
    net.setDefaultAutoSelectFamily(true);
    await opens(list);
    expect(asked).toEqual([true]);
  });

  it('both forms connect when Node asks for one address', async () => {
    net.setDefaultAutoSelectFamily(false);
    await opens(plain);
    await opens(list);
    expect(asked).toEqual([false, false]);
  });

  it('an IPv6 address answered as a string gets family 6', async () => {
    net.setDefaultAutoSelectFamily(true);
    const v6 = await startEchoServer({ host: '::1' });
    try {
      const lookup: LookupFunction = (_h, _o, callback) => callback(null, '::1');
      const { value, subscription } = firstMatch(connect(`ws://service.test:${v6.port}/`, { lookup }), isOpen);
      await value;
      subscription.unsubscribe();
    } finally {
      await v6.close();
    }
  });

  it('an empty array when one address is wanted is a DNS_FAILURE naming the host', async () => {
    net.setDefaultAutoSelectFamily(false);
    const empty: LookupFunction = (_h, _o, callback) => callback(null, []);
    const rec = await record(connect(`ws://service.test:${server.port}/`, { lookup: empty }));
    expect(rec.error).toMatchObject({ code: 'DNS_FAILURE', reason: expect.stringContaining('service.test') });
  });
});
