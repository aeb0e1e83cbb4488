// The main demo: a server and a reconnecting client on loopback, printing typed events.
// The server goes away and comes back on the same port; the client notices, backs off
// (100 ms, 200 ms …), reconnects and carries on. Ends by itself in about a second.
// Run: npm run demo
import { connect, keepAlive, reconnect, type WebSocketEvent } from 'rxws';
import { serve, type WebSocketServer } from 'rxws/server';

function startServer(port: number, log: (line: string) => void): WebSocketServer {
  const server = serve({ host: '127.0.0.1', port, protocols: ['demo.v1'] });
  server.connections$.subscribe((connection) => {
    log(`server  connection #${connection.id} from ${connection.request.remoteAddress}, protocol ${connection.request.protocol}`);
    connection.messages$.subscribe((m) => connection.send(`echo: ${m.data}`));
  });
  return server;
}

function describe(e: WebSocketEvent): string {
  switch (e.type) {
    case 'open':
      return `open     ${e.url} protocol=${e.protocol}`;
    case 'message':
      return `message  ${e.binary ? `${e.data.length} bytes` : JSON.stringify(e.data)}`;
    case 'close':
      return `close    code=${e.code} reason=${JSON.stringify(e.reason)} remote=${e.remote}`;
    case 'error':
      return `error    retries=${e.retries} wait=${e.waitTimeMs}ms ${e.reason}`;
    case 'ping':
    case 'pong':
      return `${e.type}     ${e.data.length} bytes`;
  }
}

/** Runs the demo; resolves when the client has talked to the server twice, across a restart. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  let server = startServer(0, log);
  const { port } = await server.listening;
  const url = `ws://127.0.0.1:${port}/`;
  log(`server  listening on ${url}`);

  const events$ = connect(url, { protocols: ['demo.v1'] }).pipe(
    reconnect({ maxRetries: 20 }), // IXWebSocket's backoff: 100, 200, 400 … 10000 ms
    keepAlive({ intervalMs: 5_000 }), // ping right after open, then every 5 s
  );

  let opens = 0;
  await new Promise<void>((resolve, reject) => {
    const subscription = events$.subscribe({
      next: (e) => {
        if (e.type === 'pong') return; // keepAlive's answers: quiet
        log(`client  ${describe(e)}`);
        if (e.type === 'open') e.socket.send(++opens === 1 ? 'hello' : 'hello again');
        if (e.type === 'message' && opens === 1) {
          log('server  going away (closes every connection with 1001)');
          void server.close();
        }
        if (e.type === 'error' && e.retries === 2) {
          log(`server  back on port ${port}`);
          server = startServer(port, log);
        }
        if (e.type === 'message' && opens === 2) {
          subscription.unsubscribe(); // closes the connection with 1000
          resolve();
        }
      },
      error: reject,
    });
  });
  await server.close();
  log('done');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}

