import { WebSocketError } from './errors';

/** A WebSocket URL after validation. */
export interface WebSocketUrl {
  /** The normalized URL, with `http:` mapped to `ws:` and `https:` to `wss:`. */
  readonly href: string;
  readonly secure: boolean;
  /** Host name without IPv6 brackets. */
  readonly hostname: string;
  readonly port: number;
}

const SCHEMES: Record<string, boolean> = { 'ws:': false, 'wss:': true, 'http:': false, 'https:': true };

/**
 * Validates and normalizes a WebSocket URL. Accepts `ws`, `wss`, `http` and `https`
 * (IPv6 hosts in brackets: `ws://[::1]:8008/`); anything else throws a WebSocketError.
 */
export function parseWebSocketUrl(input: string | URL): WebSocketUrl {
  return parseWebSocketTarget(input).target;
}

/**
 * As parseWebSocketUrl, with the parsed URL too (scheme ws: or wss:, no fragment): a new
 * object each call, which the Node transport hands to ws and the proxy lookup, so that a
 * connection's URL is parsed once.
 */
export function parseWebSocketTarget(input: string | URL): { target: WebSocketUrl; url: URL } {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new WebSocketError({
      code: 'INVALID_URL',
      url: String(input),
      reason: `Could not parse url '${String(input)}': expected a form like ws://host:port/path`,
    });
  }
  const secure = SCHEMES[url.protocol];
  if (secure === undefined) {
    throw new WebSocketError({
      code: 'UNSUPPORTED_SCHEME',
      url: url.href,
      reason: `Unsupported scheme '${url.protocol}' in '${url.href}': use ws:, wss:, http: or https:`,
    });
  }
  if (!url.hostname) {
    throw new WebSocketError({ code: 'INVALID_URL', url: url.href, reason: `No host in url '${url.href}'` });
  }
  if (url.hash) url.hash = ''; // RFC 6455 §3: fragments are not part of a WebSocket URI
  // http(s) and ws(s) are all special schemes, so the URL may change between them (WHATWG URL).
  if (url.protocol === 'http:' || url.protocol === 'https:') url.protocol = secure ? 'wss:' : 'ws:';
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { target: { href: url.href, secure, hostname, port: url.port ? Number(url.port) : secure ? 443 : 80 }, url };
}
