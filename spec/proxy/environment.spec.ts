import { WebSocketError } from 'rxws';
import { isLoopbackHost, proxyFromEnvironment, resolveProxy } from '../../src/proxy/environment';
import { requireBinary } from './proxies';

const VARIABLES = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'];

describe('the proxy environment, as curl reads it', () => {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const name of VARIABLES) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
  });
  afterEach(() => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
  const proxyFor = (url: string): string | undefined => proxyFromEnvironment(new URL(url))?.display;

  it('HTTPS_PROXY serves wss: and https:, HTTP_PROXY serves ws: and http:', () => {
    process.env.HTTPS_PROXY = 'http://secure-proxy:3128';
    process.env.HTTP_PROXY = 'http://plain-proxy:3128';
    expect(proxyFor('wss://example.com/chat')).toBe('http://secure-proxy:3128');
    expect(proxyFor('https://example.com/')).toBe('http://secure-proxy:3128');
    expect(proxyFor('ws://example.com/chat')).toBe('http://plain-proxy:3128');
    expect(proxyFor('http://example.com/')).toBe('http://plain-proxy:3128');
  });

  it('the lower-case variable wins; ALL_PROXY serves what has no variable of its own', () => {
    process.env.https_proxy = 'socks5://lower:1080';
    process.env.HTTPS_PROXY = 'socks5://upper:1080';
    process.env.ALL_PROXY = 'socks5h://all:1080';
    expect(proxyFor('wss://example.com')).toBe('socks5://lower:1080');
    expect(proxyFor('ws://example.com')).toBe('socks5h://all:1080');
  });

  it('names the variable as the source, masks the password, and takes a bare host:port as http://', () => {
    process.env.HTTP_PROXY = 'user:pa55@corp-proxy:8080';
    const endpoint = proxyFromEnvironment(new URL('ws://example.com'));
    expect(endpoint?.display).toBe('http://user:***@corp-proxy:8080');
    expect(endpoint?.source).toBe('the HTTP_PROXY environment variable');
    expect(endpoint?.url.password).toBe('pa55');
    process.env.HTTP_PROXY = 'http://tok3n-abc@corp-proxy:8080';
    expect(proxyFor('ws://example.com')).toBe('http://***@corp-proxy:8080');
  });

  it('no proxy port given: 1080 for HTTP and SOCKS proxies and 443 for https://, as curl', () => {
    process.env.HTTP_PROXY = 'http://corp-proxy';
    process.env.HTTPS_PROXY = 'https://tls-proxy';
    process.env.ALL_PROXY = 'socks5h://socks-proxy';
    expect(proxyFromEnvironment(new URL('ws://example.com'))?.port).toBe(1080);
    expect(proxyFromEnvironment(new URL('wss://example.com'))?.port).toBe(443);
    delete process.env.HTTP_PROXY;
    expect(proxyFor('ws://example.com')).toBe('socks5h://socks-proxy:1080');
    process.env.HTTP_PROXY = 'http://corp-proxy:80';
    expect(proxyFromEnvironment(new URL('ws://example.com'))?.port).toBe(80);
    expect(proxyFor('ws://example.com')).toBe('http://corp-proxy:80');
  });

  it.each([
    ['example.com', 'wss://example.com', true],
    ['example.com', 'wss://api.example.com', true],
    ['example.com', 'wss://notexample.com', false],
    ['.example.com', 'wss://api.example.com', true],
    ['.example.com', 'wss://example.com', true],
    ['example.com:8443', 'wss://api.example.com:8443', true],
    ['example.com:8443', 'wss://api.example.com', false],
    ['10.0.0.0/8', 'wss://10.200.3.4', true],
    ['10.0.0.0/8', 'wss://11.0.0.1', false],
    ['192.168.1.0/24:9000', 'ws://192.168.1.7:9000', true],
    ['fd00::/8', 'wss://[fd12::1]:8443', true],
    ['fd00::/8', 'wss://[fe80::1]', false],
    ['[2001:db8::5]', 'wss://[2001:db8::5]', true],
    ['*.example.com', 'wss://api.example.com', true],
    ['example.com:8443', 'wss://example.com:8443', true],
    ['example.com:8443', 'wss://example.com', false],
    ['other.org, example.com', 'wss://example.com', true],
    ['10.1.2.3', 'wss://10.1.2.3:9000', true],
    ['*', 'wss://anything.example', true],
    ['other.org', 'wss://example.com', false],
  ])('NO_PROXY=%s: %s goes direct: %s', (noProxy, url, direct) => {
    process.env.HTTPS_PROXY = 'http://corp-proxy:3128';
    process.env.NO_PROXY = noProxy;
    expect(proxyFor(url)).toBe(direct ? undefined : 'http://corp-proxy:3128');
  });

  it('never proxies loopback hosts from the environment', () => {
    process.env.ALL_PROXY = 'http://corp-proxy:3128';
    for (const url of ['ws://127.0.0.1:8008', 'ws://127.9.9.9', 'wss://localhost', 'ws://app.localhost', 'ws://[::1]:8008']) {
      expect([url, proxyFor(url)]).toEqual([url, undefined]);
    }
    expect(proxyFor('ws://128.0.0.1')).toBe('http://corp-proxy:3128');
  });

  it('isLoopbackHost: names and addresses', () => {
    expect(['localhost', 'LOCALHOST', 'a.localhost', '127.0.0.1', '127.255.0.1', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'].every(isLoopbackHost)).toBe(true);
    expect(['localhost.example', '10.0.0.1', '::2', 'example.com', '128.0.0.1'].some(isLoopbackHost)).toBe(false);
  });

  it('options.proxy wins over the environment and is used even for loopback; false ignores the environment', () => {
    process.env.ALL_PROXY = 'http://corp-proxy:3128';
    expect(resolveProxy('socks5://127.0.0.1:1080', new URL('ws://127.0.0.1:8008'))?.display).toBe('socks5://127.0.0.1:1080');
    expect(resolveProxy(false, new URL('ws://example.com'))).toBeUndefined();
    expect(resolveProxy(undefined, new URL('ws://example.com'))?.display).toBe('http://corp-proxy:3128');
  });

  it('a bad variable is INVALID_OPTIONS naming it, and a bad option names options.proxy', () => {
    process.env.HTTPS_PROXY = 'gopher://corp-proxy:70';
    const fromEnv = (): unknown => proxyFromEnvironment(new URL('wss://example.com'));
    expect(fromEnv).toThrow(WebSocketError);
    expect(fromEnv).toThrow(/HTTPS_PROXY environment variable has the unsupported scheme 'gopher:'/);
    expect(() => resolveProxy('http://proxy:3128/path', new URL('ws://example.com'))).toThrow(/options.proxy .* has a path/);
    expect(() => resolveProxy('http://u:secret-1@', new URL('ws://example.com'))).toThrow(/^(?!.*secret-1)/);
  });
});

describe('the proxy specs need their proxies', () => {
  it('a missing proxy binary fails with one line saying what to install', () => {
    expect(() => requireBinary('rxws-no-such-proxy')).toThrow(/^rxws-no-such-proxy is not installed: run `apt-get install -y rxws-no-such-proxy`/);
    expect(() => requireBinary('tinyproxy')).not.toThrow();
  });
});
