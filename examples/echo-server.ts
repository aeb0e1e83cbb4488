// An echo server: every message goes back to its sender, text as text and binary as binary.
// Run: npx tsx examples/echo-server.ts   (then: npx tsx examples/echo-client.ts)
import { serve, type WebSocketServer } from 'rxws/server';

export async function startEchoServer(port = 8008, log: (line: string) => void = console.log): Promise<WebSocketServer> {
  const server = serve({ host: '127.0.0.1', port });
  server.connections$.subscribe((connection) => {
    log(`client #${connection.id} connected from ${connection.request.remoteAddress}`);
    connection.messages$.subscribe((message) => connection.send(message.data));
  });
  const address = await server.listening;
  log(`echo server listening on ws://${address.host}:${address.port}`);
  return server;
}

if (require.main === module) {
  void startEchoServer().then((server) => process.once('SIGINT', () => void server.close()));
}
