// One Node agent per connection (or HTTP request) that goes through a proxy: https-proxy-agent
// opens the HTTP CONNECT tunnel, socks-proxy-agent the SOCKS one, and both then start TLS to
// the origin with the request's own TLS options (SNI, roots, client certificate), exactly as a
// direct connection does. This wrapper turns their failures into ProxyErrors and remembers
// whether the tunnel opened, so a later failure is reported as the origin's.
import type { ClientRequest } from 'node:http';
import { isIPv6 } from 'node:net';
import type { Duplex } from 'node:stream';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { Agent, type AgentConnectOpts } from 'agent-base';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { resolveClientTls } from '../tls/resolve';
import type { ProxyEndpoint } from './endpoint';
import { describeProxyFailure, proxyTimeout, refusedTunnel, type ProxyError } from './errors';

interface ConnectAnswer {
  statusCode: number;
  statusText: string;
}

/** An agent for one connection through `proxy`; `secure`: start TLS to the origin in the tunnel. */
export class ProxyTunnelAgent extends Agent {
  /** True once the proxy has opened the tunnel to the origin. */
  tunnelled = false;
  private readonly inner: HttpsProxyAgent<string> | SocksProxyAgent;
  private readonly abort = new AbortController();
  private answer: ConnectAnswer | undefined;

  constructor(readonly proxy: ProxyEndpoint, private readonly secure: boolean) {
    super();
    if (proxy.scheme === 'http' || proxy.scheme === 'https') {
      // The signal reaches net.connect / tls.connect: cancel() ends a handshake still under way.
      const tls = proxy.scheme === 'https' ? resolveClientTls(proxy.tls, proxy.host) : {};
      const agent = new HttpsProxyAgent(proxy.url.href, { ...tls, signal: this.abort.signal });
      agent.on('proxyConnect', (answer: ConnectAnswer) => (this.answer = answer));
      this.inner = agent;
    } else {
      const agent = new SocksProxyAgent(proxy.url);
      // socks-proxy-agent keeps an IPv6 proxy's host with its URL brackets ('[::1]'), which
      // net.connect takes for a name: give it the bare address.
      agent.proxy.host = proxy.host;
      this.inner = agent;
    }
  }

  override async connect(req: ClientRequest, options: AgentConnectOpts): Promise<Duplex> {
    const host = options.host ?? '';
    const target = `${isIPv6(host) ? `[${host}]` : host}:${options.port}`;
    const opts = { ...options, secureEndpoint: this.secure } as AgentConnectOpts;
    if (opts.secureEndpoint) {
      // The agents start TLS on the tunnel without `host`, so Node would check the certificate
      // against the SNI name or else 'localhost': an IP origin must be checked against its IP.
      const check = opts.checkServerIdentity ?? checkServerIdentity;
      opts.checkServerIdentity = (_name: string, cert: PeerCertificate) => check(host, cert);
    }
    let socket: Duplex;
    try {
      socket = await this.inner.connect(req, opts);
    } catch (err) {
      throw describeProxyFailure(err, this.proxy, target, host) ?? err;
    }
    const answer = this.answer;
    if (answer !== undefined && answer.statusCode !== 200) {
      // https-proxy-agent would replay the refusal to the request as if the origin had sent it.
      socket.destroy();
      throw refusedTunnel(this.proxy, target, answer.statusCode, answer.statusText);
    }
    this.tunnelled = true;
    return socket;
  }

  /** The error for a deadline that passed: the proxy's when the tunnel was not open yet. */
  timeoutError(target: string, ms: number): ProxyError | undefined {
    return this.tunnelled ? undefined : proxyTimeout(this.proxy, target, ms);
  }

  /** Ends a proxy handshake still under way (HTTP proxies; socks bounds its own at 30 s). */
  cancel(): void {
    this.abort.abort();
  }
}
