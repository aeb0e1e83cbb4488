// Write reports on the browser transport, with `ws`'s WHATWG-style WebSocket standing in for the
// browser's global: browsers say nothing per message, so the transport reads bufferedAmount.
import { connect, type SocketHandle, type WebSocketEvent, type WebSocketOpenEvent, type WriteError } from 'rxws';
import { useWsAsGlobalWebSocket } from '../helpers/global-websocket';
import { firstMatch } from '../helpers/observe';
import { startWsServer, type TestWsServer } from '../helpers/ws-server';

jest.mock('../../src/observables/transport', () => jest.requireActual('../../src/observables/transport.browser'));

const isOpen = (e: WebSocketEvent): e is WebSocketOpenEvent => e.type === 'open';
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SocketHandle.send: write reports on the browser transport', () => {
  let server: TestWsServer;
  useWsAsGlobalWebSocket();
  afterEach(async () => server.close());

  const open = async (): Promise<{ socket: SocketHandle; done: () => void }> => {
    const { value, subscription } = firstMatch(connect(server.url), isOpen);
    return { socket: (await value).socket, done: () => subscription.unsubscribe() };
  };
  const outcome = (log: string[], name: string) => (err?: WriteError): void => void log.push(`${name} ${err === undefined ? 'written' : err.maybeSent ? 'maybe' : 'not'}`);

  it('a message is reported written on a later send, once bufferedAmount shows its bytes left', async () => {
    server = await startWsServer();
    const { socket, done } = await open();
    const log: string[] = [];
    socket.send('a', outcome(log, 'a'));
    expect(log).toEqual([]); // never during its own send
    await turn();
    socket.send('bb', outcome(log, 'b'));
    expect(log).toEqual(['a written']);
    await turn();
    expect(socket.bufferedAmount).toBe(0);
    socket.send('c');
    expect(log).toEqual(['a written', 'b written']);
    done();
  });

  it('closing with messages still buffered reports them as maybe sent; those that left as written', async () => {
    server = await startWsServer();
    server.wss.on('connection', (ws) => ws.pause()); // the peer never reads: bytes stay buffered
    const { socket, done } = await open();
    const log: string[] = [];
    socket.send('small', outcome(log, 'small'));
    await turn();
    socket.send('x'.repeat(16 * 1024 * 1024), outcome(log, 'big'));
    expect(socket.bufferedAmount).toBeGreaterThan(0);
    done(); // unsubscribe: the page closes the socket, the big message may or may not go out first
    expect(log).toEqual(['small written', 'big maybe']);
  });
});
