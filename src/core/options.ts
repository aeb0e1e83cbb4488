/**
 * TLS settings shared by `connect`, `WebSocketClient`, `serve` and `httpRequest`, with
 * IXWebSocket's meaning. Resolved to Node's TLS options by `rxws/tls`; ignored in browsers,
 * where the browser owns TLS.
 */
export interface TlsOptions {
  /** Certificate chain (PEM): a file path or in-memory PEM. Goes with `keyFile`. */
  certFile?: string;
  /** Private key (PEM): a file path or in-memory PEM. Goes with `certFile`. */
  keyFile?: string;
  /**
   * Which roots to trust: `'SYSTEM'` (default; the system bundle), `'NONE'` (no verification:
   * tests only), a PEM string (contains `-----BEGIN CERTIFICATE-----`), or a file path.
   * On a server, roots here make client certificates required (mutual TLS).
   */
  caFile?: string;
  /** OpenSSL cipher list. */
  ciphers?: string;
  /** Accept a certificate whose names do not match the host (the chain is still verified). */
  disableHostnameValidation?: boolean;
}

/**
 * Which proxy to go through (Node only): a URL `http://`, `https://` (HTTP CONNECT; TLS to the
 * proxy for https), `socks5://`, `socks5h://` (DNS at the proxy), `socks4://` or `socks4a://`,
 * credentials as userinfo (`http://user:password@proxy:3128`); `{ url, tls }` to set how an
 * `https://` proxy is trusted; or `false` for none, ignoring the environment. Unset: the
 * environment decides, as curl reads it (docs/proxy.md).
 */
export type ProxySetting = string | URL | false | ProxyOptions;

/** A proxy URL with settings of its own. */
export interface ProxyOptions {
  /** The proxy, as in `ProxySetting`. */
  url: string | URL;
  /**
   * TLS to an `https://` proxy itself (not to the origin: that is `ConnectOptions.tls`): its
   * roots (`caFile`), a client certificate, ciphers. Default: the system roots.
   */
  tls?: TlsOptions;
}

/** Options of `connect`. All optional. */
export interface ConnectOptions {
  /** Extra handshake request headers (Node only: browsers do not allow them). */
  headers?: Record<string, string>;
  /**
   * Subprotocols to offer, in order of preference. A single string is one subprotocol
   * (`'chat'` offers `chat`), as in the WHATWG `WebSocket` constructor. A server may answer none
   * (RFC 6455 §4.1, and IXWebSocket's servers always do): the connection then opens with
   * `protocol: ''`, as in browsers; `selectProtocol` routes it. Set `requireProtocol` to refuse
   * such an answer.
   */
  protocols?: string | readonly string[];
  /**
   * Strict mode: when `protocols` are offered and the server picks none, fail with
   * `PROTOCOL_MISMATCH` instead of opening with `protocol: ''`. Default false (browser behaviour).
   */
  requireProtocol?: boolean;
  /** One deadline for DNS, TCP, TLS and the upgrade. Default 60000, as in IXWebSocket. */
  handshakeTimeoutMs?: number;
  /** How long a local close waits for the peer's close frame. Default 1000. */
  closeTimeoutMs?: number;
  /** Offer permessage-deflate (RFC 7692). Default off, as in IXWebSocket: it costs ~20x throughput on small messages. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /**
   * Largest message accepted, in bytes, counted after permessage-deflate inflation; a bigger one
   * closes the connection with 1009. A whole number from 1 to 2147483647 (2^31 - 1, the most
   * `ws` can count). Default 100 MiB , as in `ws`.
   */
  maxPayload?: number;
  /**
   * How binary data is delivered. `'uint8array'` (default): a plain Uint8Array view.
   * `'buffer'` (Node): the Node Buffer as received, without wrapping.
   */
  binaryType?: 'uint8array' | 'buffer';
  /** TLS settings for `wss:` (Node only). */
  tls?: TlsOptions;
  /**
   * Node only: resolves host names instead of `dns.lookup` (same signature), for service
   * discovery or tests.
   */
  lookup?: LookupFunction;
  /** Answer the peer's pings with pongs automatically. Default true. */
  autoPong?: boolean;
  /**
   * Node only: follow a 3xx answer to the upgrade (at most 10). Default false: a redirect is an
   * `UNEXPECTED_STATUS` error carrying the status and its `location` header. When on, a redirect
   * from `wss:` to `ws:` is refused, `headers` go only to the same origin, and the `open` event's
   * `url` is the URL finally connected to.
   */
  followRedirects?: boolean;
  /**
   * Node only: the proxy to connect through, or `false` for none. Default: `HTTPS_PROXY` for
   * `wss:`, `HTTP_PROXY` for `ws:`, else `ALL_PROXY`, unless `NO_PROXY` matches; loopback hosts
   * are never proxied unless set here. Browsers ignore it: they use the system's proxy settings.
   */
  proxy?: ProxySetting;
  /**
   * Node only: the messages sent in one event-loop turn leave in one write to the socket (one
   * system call) instead of one each, or for a turn of more than 4 KiB in a few writes growing
   * from 4 KiB to 64 KiB, so the peer starts on the first while the rest are produced; the last
   * is written before the loop goes on (a microtask, no timer: latency is unchanged). Write
   * reports, their order, `bufferedAmount` and close-after-send are as without it. Default
   * true; false writes each message at once. Browsers ignore it (they batch a turn's sends
   * themselves).
   */
  corkWrites?: boolean;
}

/** `ConnectOptions` as the transports get them: checked, with `protocols` always a list. */
export interface OpenOptions extends Omit<ConnectOptions, 'protocols'> {
  protocols?: readonly string[];
}

/** permessage-deflate parameters (RFC 7692 §7.1). */
export interface PerMessageDeflateOptions {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  serverMaxWindowBits?: number;
  clientMaxWindowBits?: number;
  /** Messages smaller than this are not compressed. Default 1024. */
  threshold?: number;
}

/** The signature of Node's `dns.lookup` as `net.connect` calls it (declared here so browsers need no Node types). */
export type LookupFunction = (
  hostname: string,
  options: object,
  callback: (err: Error | null, address: string | Array<{ address: string; family: number }>, family?: number) => void,
) => void;
