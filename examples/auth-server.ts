// A server that checks a token before the upgrade (401 otherwise) and negotiates a subprotocol.
// Run: npx tsx examples/auth-server.ts
import { connect, WebSocketError } from 'rxws';
import { serve } from 'rxws/server';
import { filter, firstValueFrom } from 'rxjs';

const TOKENS = new Map([['secret-token', 'alice']]);

export function startAuthServer(port = 8008) {
  const server = serve({
    host: '127.0.0.1',
    port,
    protocols: ['chat.v2', 'chat.v1'], // our preference order
    authorize: (request) => {
      const token = new URL(request.url, 'ws://x').searchParams.get('token') ?? '';
      return TOKENS.has(token) || { status: 401, reason: 'A valid ?token= is required' };
    },
  });
  server.connections$.subscribe((c) => {
    const user = TOKENS.get(new URL(c.request.url, 'ws://x').searchParams.get('token') ?? '');
    c.send(`welcome ${user}, you speak ${c.request.protocol}`);
  });
  return server;
}

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const server = startAuthServer(0);
  const { port } = await server.listening;
  try {
    await firstValueFrom(connect(`ws://127.0.0.1:${port}/?token=wrong`));
  } catch (err) {
    if (err instanceof WebSocketError) log(`refused: HTTP ${err.httpStatus}`);
  }
  const greeting = await firstValueFrom(
    connect(`ws://127.0.0.1:${port}/?token=secret-token`, { protocols: ['chat.v1', 'chat.v2'] }).pipe(filter((e) => e.type === 'message')),
  );
  log(`accepted: ${String(greeting.data)}`);
  await server.close();
}

if (require.main === module) void main();
