import { connect, type SocketHandle, type WebSocketEvent, type WebSocketOpenEvent, type WriteError } from 'rxws';
import { firstMatch } from '../helpers/observe';
import { startWsServer, type TestWsServer } from '../helpers/ws-server';

const isOpen = (e: WebSocketEvent): e is WebSocketOpenEvent => e.type === 'open';

// SocketHandle.send(data, onWritten) on the Node transport: ws.send's callback, in send order.
describe('SocketHandle.send: write reports (Node)', () => {
  let server: TestWsServer;
  afterEach(async () => server.close());

  const open = async (): Promise<{ socket: SocketHandle; done: () => void }> => {
    const { value, subscription } = firstMatch(connect(server.url), isOpen);
    return { socket: (await value).socket, done: () => subscription.unsubscribe() };
  };

  it('reports each message written, in send order; a message sent with no callback keeps its place', async () => {
    server = await startWsServer();
    const { socket, done } = await open();
    const log: string[] = [];
    const all = new Promise<void>((resolve) => {
      socket.send('a', (err) => log.push(`a ${err ?? 'written'}`));
      socket.send(new Uint8Array([1, 2]));
      socket.send(new ArrayBuffer(3), (err) => {
        log.push(`c ${err ?? 'written'}`);
        resolve();
      });
    });
    expect(log).toEqual([]); // never during send
    await all;
    expect(log).toEqual(['a written', 'c written']);
    done();
  });

  it('a refused send (not open) returns false and never calls back', async () => {
    server = await startWsServer();
    const { socket, done } = await open();
    done(); // closes with 1000
    const calls: unknown[] = [];
    expect(socket.send('late', (err) => calls.push(err))).toBe(false);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(calls).toEqual([]);
  });

  it('a connection destroyed under backpressure: written, then one write in doubt, then not written', async () => {
    server = await startWsServer();
    server.wss.on('connection', (ws) => ws.pause()); // the peer never reads
    const { socket, done } = await open();
    const outcomes: string[] = [];
    const report = (err?: WriteError): void => void outcomes.push(err === undefined ? 'written' : err.maybeSent ? 'maybe' : 'not');
    for (let i = 0; i < 300; i++) socket.send('x'.repeat(32 * 1024), report);
    await new Promise<void>((resolve) => setImmediate(resolve));
    (socket as SocketHandle & { terminate(): void }).terminate();
    await new Promise<void>((resolve) => {
      const check = (): void => (outcomes.length === 300 ? resolve() : void setImmediate(check));
      check();
    });
    const runs = outcomes.join(',').replace(/(\w+)(,\1)*/g, (run, word: string) => `${word}x${run.split(',').length}`);
    // Written ones first, then at most one write Node had under way, then the rest never written.
    expect(runs).toMatch(/^writtenx\d+(,maybex1)?,notx\d+$/);
    done();
  });
});
