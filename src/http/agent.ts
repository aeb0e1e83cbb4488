import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ProxyTunnelAgent } from '../proxy/agent';
import { resolveProxy } from '../proxy/environment';
import { HttpError } from './errors';
import type { HttpRequestOptions } from './options';

// Shared by every httpRequest of the process, so sequential requests to one origin reuse a
// socket (IXWebSocket opens one per request). Node keys https sockets by their TLS options.
const sharedHttp = new HttpAgent({ keepAlive: true });
const sharedHttps = new HttpsAgent({ keepAlive: true });
// Node's https pool key ignores checkServerIdentity: a socket accepted without hostname
// validation must never serve a request that asked for it, so those get their own pool.
const sharedHttpsNoHostCheck = new HttpsAgent({ keepAlive: true });

/**
 * The agent for one request: the user's, a tunnel through `options.proxy` or the environment's
 * proxy (one per request, its socket closed after the response), rxws's shared keep-alive
 * agent, or `false` (a fresh socket, closed after the response) when `keepAlive: false`.
 */
export function agentFor(url: URL, options: HttpRequestOptions): HttpAgent | false {
  const secure = url.protocol === 'https:';
  const own = secure ? options.agent?.https : options.agent?.http;
  if (own) return own;
  let proxy;
  try {
    proxy = resolveProxy(options.proxy, url);
  } catch (err) {
    throw new HttpError({ code: 'INVALID_OPTIONS', url: url.href, cause: err, reason: (err as Error).message });
  }
  if (proxy) return new ProxyTunnelAgent(proxy, secure);
  if (options.keepAlive === false) return false;
  if (!secure) return sharedHttp;
  return options.tls?.disableHostnameValidation ? sharedHttpsNoHostCheck : sharedHttps;
}
