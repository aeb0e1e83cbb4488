// The server side of client channels (docs/channels.md): sub/unsub envelopes mapped onto topics,
// an authorizer per subscription, publications framed once and broadcast (through the adapter).
import { from, isObservable, of, Subscription, take, type Observable } from 'rxjs';
import { OPEN } from '../core/constants';
import { json, type Codec } from '../messages/codecs';
import { errEnvelope, readEnvelope, writeEnvelope, type Envelope, type Position, type SubEnvelope } from '../messages/envelope';
import { assertChannelName } from '../client/channels';
import { ChannelHistory } from './channel-history';
import type { ServerConnection } from './connection';
import { assertHistoryStore, type HistoryStore } from './history';
import type { WebSocketServer } from './websocket-server';

/** What an authorizer may answer: true accepts, false refuses, `{ reason }` refuses saying why. */
export type ChannelVerdict = boolean | { readonly reason: string };

/** Decides whether `connection` may subscribe to channel `name`. */
export type ChannelAuthorizer = (connection: ServerConnection, name: string) => ChannelVerdict | PromiseLike<ChannelVerdict> | Observable<ChannelVerdict>;

/** Options of `channels()`. All optional. */
export interface ChannelsOptions {
  /** Who may subscribe to what. Default: everyone to every channel. A throw or rejection refuses (and is reported to `onError`). */
  authorize?: ChannelAuthorizer;
  /** The topic a channel rides on (`join`/`leave`/`broadcast({ topic })`). Default: the channel's name. */
  topicOf?: (name: string) => string;
  /** The envelope's codec; the clients must use the same. Default `json()`. */
  codec?: Codec<unknown, unknown>;
  /** Told about authorizers that failed (the client only gets a generic refusal). Default: none. */
  onError?: (error: unknown, connection: ServerConnection, name: string) => void;
  /**
   * Keep each channel's publications, so that a client that reconnects gets what it missed
   * (docs/channels.md, History): `memoryHistory()` for one process, `redisHistory()` from
   * `rxws/redis` for many. Publications then carry their position (`epoch`, `offset`). Default none.
   */
  history?: HistoryStore;
}

/** What `channels()` returns: publish to a channel, and stop serving channels. */
export interface ChannelServer {
  /**
   * Sends `body` to every subscriber of channel `name`, on this server and, with an adapter
   * (Redis), on every instance. Framed once. Returns how many local connections it reached.
   * With `history` it is kept and carries its position; with `redisHistory()` every instance
   * delivers it once Redis has it (the count is then 0), and a store failure is reported on
   * `server.errors$` (source 'history').
   */
  publish(name: string, body: unknown): number;
  /**
   * As `publish`, and resolves once the publication is in the channel's history, with its
   * position; rejects when the history store failed (nobody got it then). Without `history` it
   * resolves with undefined once broadcast.
   *
   * @example
   * const { epoch, offset } = (await hub.publishStored('orders', order))!;
   */
  publishStored(name: string, body: unknown): Promise<Position | undefined>;
  /** Stops answering sub/unsub (subscriptions already made stay until their connections leave). */
  close(): void;
}

/** Connections whose `sub`/`unsub` envelopes `channels()` answers (a message layer then leaves them alone). */
const served = new WeakSet<ServerConnection>();

/** Whether `channels()` answers this connection's subscriptions. */
export function servesChannels(connection: ServerConnection): boolean {
  return served.has(connection);
}

/** Subscriptions of one connection: the pending authorizations (and replays) and the channels it is in. */
interface ConnectionChannels {
  readonly pending: Map<string, Subscription>;
  /** With history: the channels subscribed to. */
  readonly names: Set<string>;
}

/**
 * Serves client channels (`WebSocketClient.channel(name)`) on `server`: answers each `sub` with
 * `subok` once `authorize` accepts (the connection joins the channel's topic) or with `err`
 * `CHANNEL_REFUSED` and the reason; `unsub` leaves the topic. `publish(name, body)` reaches the
 * subscribers, across processes through the server's adapter. With `history`, a `sub` that
 * resumes from a position gets the publications it missed, then the live ones (docs/channels.md, History). Frames that are not sub/unsub
 * envelopes are left to the application (subscribe to a connection when it is emitted: with
 * `channels()` it has a subscriber at once, so it keeps no early events for a later one). On a server with a `codec` and `messaging`, pass it as
 * it is: the message layer then leaves `sub`/`unsub` to the channels (use the same codec here).
 *
 * @example
 * const hub = channels(server, {
 *   authorize: (conn, name) => !name.startsWith('admin:') || conn.request.headers['x-role'] === 'admin' || { reason: 'admins only' },
 * });
 * setInterval(() => hub.publish('quotes:ACME', { price: Math.random() }), 1000);
 */
export function channels(target: WebSocketServer | { readonly raw: WebSocketServer }, options: ChannelsOptions = {}): ChannelServer {
  // A server with a codec (`serve({ codec, messaging })`) is served through the frames underneath.
  const server = 'raw' in target ? target.raw : target;
  const { authorize = () => true, topicOf = (name: string) => name, codec = json(), onError, history: store } = options;
  if (typeof authorize !== 'function') throw new TypeError('channels(): authorize must be a function (connection, name) => boolean | { reason } | Promise | Observable');
  if (store !== undefined) assertHistoryStore(store, 'channels()');
  const history = store === undefined ? undefined : new ChannelHistory(server, store, codec, topicOf);
  const watched = new Subscription();
  // JSON text without a "sub" or "unsub" string cannot be one of ours: the application's frames skip the parse.
  const mayBeChannelFrame = codec.name === 'json' ? (data: unknown) => typeof data !== 'string' || data.includes('"sub"') || data.includes('"unsub"') : () => true;

  const attach = (connection: ServerConnection): void => {
    const state: ConnectionChannels = { pending: new Map(), names: new Set() };
    served.add(connection);
    const subscription = connection.messages$.subscribe({
      next: (message) => {
        if (!mayBeChannelFrame(message.data)) return;
        const read = readEnvelope(codec, message.data, message.binary);
        if (!read.ok) return; // the application's own frames
        if (read.envelope.k === 'sub') onSub(connection, state, read.envelope);
        else if (read.envelope.k === 'unsub') onUnsub(connection, state, read.envelope.channel);
      },
      complete: () => {
        for (const pending of state.pending.values()) pending.unsubscribe();
        for (const name of state.names) history?.leave(connection, name);
        watched.remove(subscription);
      },
    });
    watched.add(subscription);
  };

  const send = (connection: ServerConnection, envelope: Envelope): void => {
    if (connection.readyState === OPEN) connection.send(writeEnvelope(codec, envelope));
  };

  const onSub = (connection: ServerConnection, state: ConnectionChannels, sub: SubEnvelope): void => {
    const name = sub.channel;
    state.pending.get(name)?.unsubscribe(); // the newest sub for a name wins
    const settle = (verdict: ChannelVerdict): void => {
      state.pending.delete(name);
      if (verdict === true && history !== undefined) {
        state.names.add(name);
        const cancel = history.subscribe(connection, sub);
        // Until it goes live, an unsub or the close cancels the replay.
        state.pending.set(name, new Subscription(cancel));
      } else if (verdict === true) {
        connection.join(topicOf(name));
        send(connection, { k: 'subok', id: sub.id, channel: name });
      } else {
        const why = typeof verdict === 'object' && verdict !== null && typeof verdict.reason === 'string' ? verdict.reason : 'not allowed';
        send(connection, errEnvelope(sub.id, { code: 'CHANNEL_REFUSED', message: `Channel '${name}' refused: ${why}` }));
      }
    };
    const failed = (error: unknown): void => {
      onError?.(error, connection, name);
      state.pending.delete(name);
      send(connection, errEnvelope(sub.id, { code: 'CHANNEL_REFUSED', message: `Channel '${name}' refused: the server could not decide (its authorizer failed)` }));
    };
    let answer: ReturnType<ChannelAuthorizer>;
    try {
      answer = authorize(connection, name);
    } catch (error) {
      failed(error);
      return;
    }
    const verdict$ = isObservable(answer) || isPromiseLike(answer) ? from(answer as Observable<ChannelVerdict>).pipe(take(1)) : of(answer);
    let settled = false;
    const pending = verdict$.subscribe({
      next: (verdict) => {
        settled = true;
        settle(verdict);
      },
      error: (error: unknown) => {
        settled = true;
        failed(error);
      },
      complete: () => {
        if (!settled) failed(new Error(`the authorizer's Observable completed without a verdict for channel '${name}'`));
      },
    });
    if (!settled) state.pending.set(name, pending);
  };

  const onUnsub = (connection: ServerConnection, state: ConnectionChannels, name: string): void => {
    state.pending.get(name)?.unsubscribe();
    state.pending.delete(name);
    if (history !== undefined && state.names.delete(name)) history.leave(connection, name);
    else connection.leave(topicOf(name));
  };

  for (const connection of server.clients) attach(connection);
  watched.add(server.connections$.subscribe(attach));

  return {
    publish: (name, body) => {
      assertChannelName(name, 'publish()');
      if (history !== undefined) return history.publish(name, body);
      return server.broadcast(writeEnvelope(codec, { k: 'pub', channel: name, body }), { topic: topicOf(name) });
    },
    publishStored: (name, body) => {
      try {
        assertChannelName(name, 'publishStored()');
        if (history !== undefined) return history.append(name, body);
        server.broadcast(writeEnvelope(codec, { k: 'pub', channel: name, body }), { topic: topicOf(name) });
        return Promise.resolve(undefined);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    close: () => {
      watched.unsubscribe();
      history?.close();
    },
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
