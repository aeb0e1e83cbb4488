// How one logical server spans processes: each instance delivers to its own clients and hands
// every broadcast to an adapter, which carries it to the other instances.

/** One broadcast as it travels between server instances. */
export interface AdapterMessage {
  /** A string is sent as a text message, bytes as a binary one. */
  readonly data: string | Uint8Array;
  /** Only connections that joined one of these topics get it; `undefined`: every connection. */
  readonly topics: readonly string[] | undefined;
}

/** What a server gives the adapter it is started with. */
export interface AdapterHost {
  /** Delivers a message that another instance published to this server's own clients; returns how many. */
  deliver(message: AdapterMessage): number;
  /** Reports a failure that did not stop the server on `server.errors$` (source `'adapter'`). */
  reportError(error: unknown): void;
}

/**
 * Carries broadcasts between the instances of one logical server (processes, machines). The
 * server that broadcasts delivers to its own clients itself, then calls `publish`; the adapter
 * hands the message to every OTHER instance, which delivers it to its clients through
 * `AdapterHost.deliver`. So each instance delivers each message once, the publishing one included.
 *
 * `serve({ adapter })` calls `attach` once, while it starts, and `close` when the server closes.
 * Implementations: `InProcessBus` (servers in one process) and `redisAdapter` from `rxws/redis`.
 *
 * @example
 * import { serve } from 'rxws/server';
 * import { redisAdapter } from 'rxws/redis';
 * const server = serve({ port: 8080, adapter: redisAdapter({ url: 'redis://127.0.0.1:6379' }) });
 * server.connections$.subscribe((conn) => {
 *   conn.join('lobby');
 *   conn.messages$.subscribe((m) => server.broadcast(m.data, { topic: 'lobby', except: conn }));
 * });
 */
export interface BroadcastAdapter {
  /** Starts the adapter for `host` (called by `serve()`; an adapter serves one server). */
  attach(host: AdapterHost): void;
  /**
   * Hands `message` to the other instances. Resolves with the number of instances it reached,
   * this one included, when the transport tells (else at least 1); rejects when it cannot be handed on.
   */
  publish(message: AdapterMessage): Promise<number>;
  /** Stops the adapter (called by `server.close()`); later publishes reject. */
  close(): Promise<void>;
}

/** Throws a TypeError unless `value` has the three methods of a BroadcastAdapter. */
export function assertAdapter(value: unknown): asserts value is BroadcastAdapter {
  const candidate = value as Partial<Record<keyof BroadcastAdapter, unknown>> | null;
  const missing = (['attach', 'publish', 'close'] as const).filter((m) => typeof candidate?.[m] !== 'function');
  if (missing.length > 0) {
    throw new TypeError(`adapter must be a BroadcastAdapter (attach, publish, close), e.g. redisAdapter() from 'rxws/redis'; missing ${missing.join(', ')}`);
  }
}

/**
 * The in-process adapter: several servers in one process (say a `ws:` and a `wss:` port, or
 * tests) act as one. Without any adapter a server is a single instance on its own.
 *
 * @example
 * import { InProcessBus, serve } from 'rxws/server';
 * const bus = new InProcessBus();
 * const plain = serve({ port: 8080, adapter: bus.adapter() });
 * const secure = serve({ port: 8443, tls, adapter: bus.adapter() });
 * plain.broadcast('hello'); // reaches the clients of both servers
 */
export class InProcessBus {
  private readonly hosts = new Set<AdapterHost>();

  /** A new adapter on this bus, for one server. */
  adapter(): BroadcastAdapter {
    const hosts = this.hosts;
    let self: AdapterHost | undefined;
    let closed = false;
    return {
      attach(host: AdapterHost): void {
        if (self !== undefined || closed) throw new Error('This adapter already serves a server: call bus.adapter() once per server');
        self = host;
        hosts.add(host);
      },
      publish(message: AdapterMessage): Promise<number> {
        if (self === undefined || closed) return Promise.reject(new Error('publish(): this adapter is not attached to a running server'));
        for (const host of hosts) if (host !== self) host.deliver(message);
        return Promise.resolve(hosts.size);
      },
      close(): Promise<void> {
        closed = true;
        if (self !== undefined) hosts.delete(self);
        return Promise.resolve();
      },
    };
  }
}
