import { WebSocketError } from '../core/errors';
import type { ProxySetting, TlsOptions } from '../core/options';

/** The proxy kinds rxws speaks, by URL scheme. */
export type ProxyScheme = 'http' | 'https' | 'socks4' | 'socks4a' | 'socks5' | 'socks5h';

const SCHEMES: ReadonlySet<string> = new Set<ProxyScheme>(['http', 'https', 'socks4', 'socks4a', 'socks5', 'socks5h']);

/** curl's default proxy ports: 1080 for every kind but https:// proxies (443). */
const DEFAULT_PORT: Record<ProxyScheme, number> = { http: 1080, https: 443, socks4: 1080, socks4a: 1080, socks5: 1080, socks5h: 1080 };

/** A validated proxy. `url` carries the credentials; `display` never does. */
export interface ProxyEndpoint {
  readonly scheme: ProxyScheme;
  /** The proxy URL with its port made explicit, credentials included: for the agents only. */
  readonly url: URL;
  /** Host name without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
  /** `scheme://[user:***@]host:port`: the form that may be logged. */
  readonly display: string;
  /** Where the setting came from, for error reasons: `options.proxy` or the variable's name. */
  readonly source: string;
  /** TLS to an `https://` proxy itself; unset: the system roots. */
  readonly tls?: TlsOptions;
}

/**
 * Masks a URL's password: what a log, a reason or an `open` event may show. A user name
 * without a password is often a token (`http://TOKEN@proxy`): masked too.
 */
function redactProxyUrl(url: URL): string {
  const host = url.hostname;
  const user = url.username ? `${url.password ? `${url.username}:***` : '***'}@` : '';
  return `${url.protocol}//${user}${host}${url.port ? `:${url.port}` : ''}`;
}

function invalid(reason: string): never {
  throw new WebSocketError({ code: 'INVALID_OPTIONS', reason });
}

/**
 * Validates a proxy URL (`http://`, `https://`, `socks4://`, `socks4a://`, `socks5://`,
 * `socks5h://`; credentials as userinfo). A bad one throws an INVALID_OPTIONS WebSocketError
 * whose reason names `source` but never the password.
 */
export function parseProxyUrl(input: string | URL, source: string): ProxyEndpoint {
  const given = String(input).trim();
  const text = given.includes('://') ? given : `http://${given}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    const shown = text.replace(/\/\/[^@/]*@/, '//***@');
    return invalid(`${source} '${shown}' is not a URL: write it like http://proxy.example:3128 or socks5://user:pass@127.0.0.1:1080`);
  }
  const scheme = url.protocol.slice(0, -1);
  if (!SCHEMES.has(scheme)) {
    return invalid(`${source} has the unsupported scheme '${url.protocol}' (${redactProxyUrl(url)}): use http:, https:, socks4:, socks4a:, socks5: or socks5h:`);
  }
  if (!url.hostname) invalid(`${source} names no host: write it like http://proxy.example:3128`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search) {
    invalid(`${source} (${redactProxyUrl(url)}) has a path or query: a proxy URL is only scheme://[user:password@]host[:port]`);
  }
  const kind = scheme as ProxyScheme;
  // `url.port` hides a port equal to the scheme's default (http: 80): read the one written.
  const written = /^[^:]+:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*):(\d+)/.exec(text)?.[1];
  const port = written !== undefined ? Number(written) : DEFAULT_PORT[kind];
  const explicit = new URL(url.href);
  explicit.pathname = '';
  // Left empty when it is the scheme's default (http: 80, https: 443): the agents default alike.
  explicit.port = String(port);
  const display = `${redactProxyUrl(explicit)}${explicit.port ? '' : `:${port}`}`;
  return { scheme: kind, url: explicit, host: hostOf(url), port, display, source };
}

function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** A `proxy` option as given: a URL, `false`, or unset (then the environment decides). */
export function explicitProxy(setting: ProxySetting | undefined): ProxyEndpoint | false | undefined {
  if (setting === undefined) return undefined;
  if (setting === false) return false;
  if (typeof setting === 'string' || setting instanceof URL) return parseProxyUrl(setting, 'options.proxy');
  if (typeof setting !== 'object' || setting === null || (typeof setting.url !== 'string' && !(setting.url instanceof URL))) {
    return invalid(`options.proxy must be a proxy URL (string or URL), { url, tls }, or false (no proxy), got ${setting === null ? 'null' : typeof setting}`);
  }
  const endpoint = parseProxyUrl(setting.url, 'options.proxy.url');
  if (setting.tls !== undefined && endpoint.scheme !== 'https') {
    invalid(`options.proxy.tls is for TLS to an https:// proxy, but ${endpoint.display} is ${endpoint.scheme}://: drop tls or use an https:// proxy`);
  }
  return { ...endpoint, tls: setting.tls };
}
