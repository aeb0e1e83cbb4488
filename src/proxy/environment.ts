import { isIP } from 'node:net';
import { getProxyForUrl } from 'proxy-from-env';
import { explicitProxy, parseProxyUrl, type ProxyEndpoint } from './endpoint';
import { curlNoProxyMatch } from './no-proxy';
import type { ProxySetting } from '../core/options';

/** The variables read for each scheme, in curl's order: lower case first (see proxy-from-env). */
const VARIABLES: Record<'http' | 'https', readonly string[]> = {
  http: ['http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'],
  https: ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'],
};

/** localhost, *.localhost, 127.0.0.0/8 and ::1: never sent through a proxy taken from the environment. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return /^(0{0,4}:){2,7}0{0,3}1$/.test(name) || name === '::1' || /^::ffff:127\./.test(name);
  return false;
}

/**
 * The proxy the environment names for `target`, as curl reads it: `https_proxy`/`HTTPS_PROXY`
 * for `wss:`/`https:`, `http_proxy`/`HTTP_PROXY` for `ws:`/`http:`, else `all_proxy`/`ALL_PROXY`;
 * none when `no_proxy`/`NO_PROXY` matches (a name and its subdomains, `.suffix`, `host:port`,
 * IP addresses and CIDR ranges, `*`) or the host is loopback.
 */
export function proxyFromEnvironment(target: URL): ProxyEndpoint | undefined {
  if (isLoopbackHost(target.hostname)) return undefined;
  const secure = target.protocol === 'wss:' || target.protocol === 'https:';
  const port = Number(target.port) || (secure ? 443 : 80);
  if (curlNoProxyMatch(target.hostname.replace(/^\[|\]$/g, ''), port)) return undefined;
  const scheme = secure ? 'https' : 'http';
  // proxy-from-env picks the variable by scheme: ask it about the http(s) URL curl would see.
  const asked = new URL(target.href.replace(/^ws/, 'http'));
  const found = getProxyForUrl(asked);
  if (!found) return undefined;
  const name = VARIABLES[scheme].find((v) => process.env[v]) ?? VARIABLES[scheme][0];
  const raw = process.env[name] ?? found;
  // curl takes a proxy written without a scheme as http://, whatever the target's scheme.
  return parseProxyUrl(raw.includes('://') ? raw : `http://${raw}`, `the ${name} environment variable`);
}

/**
 * The proxy for one connection or request: `options.proxy` when set (loopback included: asked
 * for explicitly), none for `false`, else the environment's.
 */
export function resolveProxy(setting: ProxySetting | undefined, target: URL): ProxyEndpoint | undefined {
  const explicit = explicitProxy(setting);
  if (explicit === false) return undefined;
  return explicit ?? proxyFromEnvironment(target);
}
