// An Angular-style service on WebSocketClient's channels: `state$` for a status badge
// ("reconnecting in 3 s"), `channel(name)` for components, a fresh token on every try.
// In Angular: add @Injectable({ providedIn: 'root' }), then in a component
//   readonly state = toSignal(this.live.state$, { requireSync: true });
//   readonly quotes$ = this.live.quotes('ACME');
// Run: npx tsx examples/live-channels-service.ts (starts its own server on a free port)
import { map, take, toArray, firstValueFrom, type Observable } from 'rxjs';
import { WebSocketClient, type ConnectFunction, type ConnectionState } from 'rxws';
import { channels, serve } from 'rxws/server';

/** A price update on a `quotes:<symbol>` channel. */
export interface Quote {
  readonly symbol: string;
  readonly price: number;
}

/** What the service needs from its app: where to connect, how to get a token, and (in tests) a fake connect. */
export interface LiveServiceConfig {
  readonly url: string;
  /** Asked before every try: a refreshed token after an expiry, with no reconnect code. */
  readonly token: () => string | Promise<string>;
  readonly connect?: ConnectFunction;
}

export class LiveService {
  private readonly client: WebSocketClient;
  /** The connection's state, replayed: `toSignal(state$, { requireSync: true })` works. */
  readonly state$: Observable<ConnectionState>;
  /** A one-line status for the template. */
  readonly status$: Observable<string>;

  constructor(config: LiveServiceConfig) {
    this.client = new WebSocketClient({
      url: config.url,
      // Browsers cannot set headers: the token rides in a subprotocol the server reads (tokenFromProtocols).
      protocols: () => {
        const token = config.token();
        return typeof token === 'string' ? offer(token) : token.then(offer);
      },
      reconnect: { maxWaitMs: 10_000 },
      connect: config.connect,
    });
    this.state$ = this.client.state$;
    this.status$ = this.state$.pipe(map(describeState));
  }

  /** Live quotes of `symbol`: subscribed on the server while someone listens, again after each reconnect. */
  quotes(symbol: string): Observable<Quote> {
    return this.client.channel<Quote>(`quotes:${symbol}`);
  }

  connect(): void {
    this.client.start();
  }

  disconnect(): void {
    this.client.stop();
  }
}

/** The subprotocols of one try: the application's, then the token (never chosen by the server). */
const offer = (token: string): string[] => ['live.v1', `bearer.${token}`];

/** What a status badge shows for a state. */
export function describeState(state: ConnectionState): string {
  switch (state.status) {
    case 'open':
      return 'live';
    case 'connecting':
      return 'connecting…';
    case 'reconnecting':
      return state.nextTryInMs > 0 ? `reconnecting in ${Math.ceil(state.nextTryInMs / 1000)} s` : 'reconnecting…';
    case 'closed':
      return state.lastError ? `offline: ${state.lastError.reason}` : 'offline';
  }
}

/** Runs the service against a local server that publishes three quotes. */
export async function main(log: (line: string) => void = console.log): Promise<Quote[]> {
  const server = serve({ host: '127.0.0.1', port: 0, protocols: ['live.v1'] });
  const hub = channels(server, { authorize: (_conn, name) => name.startsWith('quotes:') || { reason: 'unknown channel' } });
  server.connections$.subscribe((conn) =>
    conn.messages$.subscribe((m) => {
      // The first sub of a channel is the cue to publish (a real app would publish from its data source).
      if (String(m.data).includes('"sub"')) for (const price of [10, 11, 12]) hub.publish('quotes:ACME', { symbol: 'ACME', price });
    }),
  );
  const { port } = await server.listening;
  const live = new LiveService({ url: `ws://127.0.0.1:${port}`, token: () => 'demo-token' });
  live.status$.subscribe((s) => log(`status: ${s}`));
  const quotes = firstValueFrom(live.quotes('ACME').pipe(take(3), toArray()));
  live.connect();
  const received = await quotes;
  for (const q of received) log(`${q.symbol} ${q.price}`);
  live.disconnect();
  await server.close();
  return received;
}

if (require.main === module) void main();
