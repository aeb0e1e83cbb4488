import { RxwsError, type RxwsErrorInit, type WebSocketErrorCode } from '../core/errors';
import { describeNetworkError } from '../core/network-errors';
import type { ProxyEndpoint } from './endpoint';

/** The WebSocketError codes of a failure at the proxy (HttpError maps them to its own names). */
export type ProxyErrorCode = Extract<WebSocketErrorCode, `PROXY_${string}`>;

/** What failed at the proxy: a code, a reason naming the proxy (never its password), the status. */
export class ProxyError extends RxwsError<ProxyErrorCode> {
  override readonly name = 'ProxyError';
  /** The HTTP proxy's status answering CONNECT; 0 for SOCKS and for no answer. */
  readonly status: number;

  constructor(init: RxwsErrorInit<ProxyErrorCode> & { readonly status?: number }) {
    super(init);
    this.status = init.status ?? 0;
  }
}

// RFC 1928 §6 reply codes (socks names them in its messages), with what they mean for a user.
const SOCKS5_REPLIES: Record<string, [number, string]> = {
  Failure: [1, 'general SOCKS server failure'],
  NotAllowed: [2, 'connection not allowed by ruleset'],
  NetworkUnreachable: [3, 'network unreachable'],
  HostUnreachable: [4, 'host unreachable'],
  ConnectionRefused: [5, 'connection refused by the target'],
  TTLExpired: [6, 'TTL expired'],
  CommandNotSupported: [7, 'command not supported'],
  AddressNotSupported: [8, 'address type not supported'],
};
// SOCKS4 replies (0x5b–0x5d).
const SOCKS4_REPLIES: Record<string, [number, string]> = {
  Failed: [0x5b, 'request rejected or failed'],
  Rejected: [0x5c, 'rejected: the proxy could not reach identd on the client'],
  RejectedIdent: [0x5d, 'rejected: identd reported a different user id'],
};

function via(proxy: ProxyEndpoint): string {
  return `the proxy ${proxy.display} (${proxy.source})`;
}

/** The proxy answered CONNECT with a status other than 200. */
export function refusedTunnel(proxy: ProxyEndpoint, target: string, status: number, statusText: string): ProxyError {
  const line = `${status}${statusText ? ` ${statusText}` : ''}`;
  // 407 is the proxy's own "who are you" (RFC 9110 §15.5.8); some proxies (tinyproxy) answer
  // wrong credentials with 401.
  if (status === 407 || (status === 401 && proxy.url.username !== '')) {
    const user = proxy.url.password ? ` of user '${decodeURIComponent(proxy.url.username)}'` : '';
    const hint = proxy.url.username
      ? `it refused the credentials${user}; check the user name and password in the proxy URL`
      : 'put credentials in the proxy URL: http://user:password@host:port';
    return new ProxyError({ code: 'PROXY_AUTH_REQUIRED', reason: `Proxy authentication required: ${via(proxy)} answered ${line} to CONNECT ${target}; ${hint}`, status });
  }
  return new ProxyError({ code: 'PROXY_REFUSED', reason: `${via(proxy)} refused to open a tunnel to ${target}: it answered CONNECT with ${line}`, status });
}

/** The handshake deadline passed before the proxy opened the tunnel. */
export function proxyTimeout(proxy: ProxyEndpoint, target: string, ms: number): ProxyError {
  return new ProxyError({ code: 'PROXY_HANDSHAKE_TIMEOUT', reason: `${via(proxy)} did not open a tunnel to ${target} within ${ms} ms: is it a ${proxy.scheme} proxy, and up?` });
}

function socksFailure(proxy: ProxyEndpoint, target: string, message: string, err: unknown): ProxyError | undefined {
  const rejected = /^Socks([45]) proxy rejected connection - \(?(\w+)\)?/i.exec(message);
  if (rejected) {
    const table = rejected[1] === '5' ? SOCKS5_REPLIES : SOCKS4_REPLIES;
    const [reply, meaning] = table[rejected[2]] ?? [0, rejected[2]];
    const reason = `${via(proxy)} refused the connection to ${target}: SOCKS${rejected[1]} reply ${reply ? `0x${reply.toString(16).padStart(2, '0')}` : '?'} (${meaning})`;
    return new ProxyError({ code: 'PROXY_REFUSED', reason, cause: err });
  }
  if (/Socks5 Authentication failed/i.test(message)) {
    return new ProxyError({ code: 'PROXY_AUTH_REQUIRED', reason: `SOCKS5 authentication failed: ${via(proxy)} refused the user name and password in the proxy URL`, cause: err });
  }
  if (/no accepted authentication type/i.test(message)) {
    const hint = proxy.url.username ? 'it accepts none of the methods offered' : 'it requires a user name and password: put them in the proxy URL, socks5://user:password@host:port';
    return new ProxyError({ code: 'PROXY_AUTH_REQUIRED', reason: `Proxy authentication required: ${via(proxy)} accepted no authentication method offered; ${hint}`, cause: err });
  }
  if (/Proxy connection timed out/i.test(message)) {
    return new ProxyError({ code: 'PROXY_HANDSHAKE_TIMEOUT', reason: `${via(proxy)} did not finish the SOCKS handshake for ${target} in time (${message})`, cause: err });
  }
  if (/^Socket closed$|invalid Socks|Negotiation error/i.test(message)) {
    return new ProxyError({ code: 'PROXY_FAILED', reason: `${via(proxy)} broke off the SOCKS handshake for ${target} (${message}): is it a SOCKS proxy of that version?`, cause: err });
  }
  return undefined;
}

/**
 * A failure before the tunnel was open, described as the proxy's: unreachable (with its address),
 * authentication, refusal by reply code, timeout, or a proxy that broke off the handshake.
 * A DNS failure for the target itself (socks5:// and socks4:// resolve locally) is not the
 * proxy's: undefined, so the caller reports it as for a direct connection.
 */
export function describeProxyFailure(err: unknown, proxy: ProxyEndpoint, target: string, targetHost: string): ProxyError | undefined {
  if (err instanceof ProxyError) return err;
  const e = (err ?? {}) as { code?: unknown; message?: unknown; hostname?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.code === 'string' && e.hostname === targetHost && targetHost !== proxy.host) return undefined;
  const socks = socksFailure(proxy, target, message, err);
  if (socks) return socks;
  if (/before receiving CONNECT response|No header received|Invalid header from proxy/i.test(message)) {
    return new ProxyError({ code: 'PROXY_FAILED', reason: `${via(proxy)} closed the connection or answered CONNECT ${target} with no valid HTTP response (${message})`, cause: err });
  }
  // socks passes net errors on as text only: find the errno in it.
  const errno = typeof e.code === 'string' ? e.code : /\b(E[A-Z]{3,}|ERR_[A-Z_]+)\b/.exec(message)?.[1];
  const described = describeNetworkError({ code: errno, message }, proxy.host, proxy.port);
  // The TLS hints name the connection's options; TLS to the proxy has its own (proxy.tls).
  const reason = described.reason.replace(/\btls\./g, 'proxy.tls.');
  return new ProxyError({ code: 'PROXY_UNREACHABLE', reason: `Could not reach ${via(proxy)} at ${proxy.host} port ${proxy.port}: ${reason}`, cause: err });
}
