import { BlockList, isIP } from 'node:net';

/** The NO_PROXY value, as proxy-from-env reads it (lower case first). */
function noProxyList(): string {
  return process.env.no_proxy || process.env.NO_PROXY || '';
}

function splitPort(entry: string): { name: string; port: number } {
  // `[v6]:port`, `name:port`, a bare IPv6 address, or a name.
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1], port: Number(bracketed[2] ?? 0) };
  const withPort = /^([^:]+):(\d+)$/.exec(entry);
  if (withPort) return { name: withPort[1], port: Number(withPort[2]) };
  return { name: entry, port: 0 };
}

function inRange(host: string, cidr: string): boolean {
  const [range, bits] = cidr.split('/');
  const family = isIP(range);
  const prefix = Number(bits);
  if (family === 0 || isIP(host) !== family || !/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) return false;
  const list = new BlockList();
  list.addSubnet(range, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The NO_PROXY forms curl understands beyond proxy-from-env's: a name covers its subdomains
 * (`example.com` matches `api.example.com`), `.example.com` covers `example.com` itself, and CIDR
 * ranges (`10.0.0.0/8`, `fd00::/8`) cover addresses. `host` without IPv6 brackets.
 */
export function curlNoProxyMatch(host: string, port: number, list = noProxyList()): boolean {
  const name = host.toLowerCase();
  for (const raw of list.toLowerCase().split(/[,\s]+/)) {
    if (!raw) continue;
    const entry = splitPort(raw);
    if (entry.port && entry.port !== port) continue;
    if (entry.name.includes('/')) {
      if (inRange(name, entry.name)) return true;
      continue;
    }
    if (isIP(entry.name) || isIP(name)) continue; // addresses: proxy-from-env compares them as written
    const domain = entry.name.replace(/^\*?\./, '');
    if (name === domain || name.endsWith(`.${domain}`)) return true;
  }
  return false;
}
