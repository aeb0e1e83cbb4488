// The program a consumer project runs against the installed tarball, written once and emitted
// as an ES module or a CommonJS script: it opens a server, connects, broadcasts, makes an HTTP
// request, serves and connects over TLS, runs a marble test with rxws/testing, publishes through
// Redis when REDIS_URL is set, and checks that a class thrown by one entry is the one another
// entry exports. It prints one JSON line and must exit by itself (everything it opened is closed).

/** What the program prints. */
export interface ConsumerReport {
  format: 'esm' | 'cjs';
  broadcastCount: number;
  broadcastReceived: string;
  httpEcho: { method: string; url: string };
  tlsOpenedProtocol: string;
  marble: string;
  redis: { local: number; instances: number } | 'skipped';
  tlsErrorFromServerIsTlsEntryClass: boolean;
  tlsErrorFromHttpIsTlsEntryClass: boolean;
  serveOptionsErrorIsServerEntryClass: boolean;
}

const BODY = String.raw`
const { filter, firstValueFrom, lastValueFrom, map, take, toArray } = rxjs;

async function broadcastRoundTrip(report) {
  const s = server.serve({ host: '127.0.0.1', port: 0, onRequest: server.echoRequest() });
  try {
    const { port } = await s.listening;
    s.connections$.subscribe(() => { report.broadcastCount = s.broadcast('hello from broadcast'); });
    const message = await firstValueFrom(rxws.connect('ws://127.0.0.1:' + port + '/').pipe(filter((e) => e.type === 'message')));
    report.broadcastReceived = message.data;
    const response = await lastValueFrom(http.httpRequest('http://127.0.0.1:' + port + '/echo?x=1').pipe(filter((e) => e.type === 'response')));
    const echo = JSON.parse(response.text());
    report.httpEcho = { method: echo.method, url: echo.url };
  } finally {
    await s.close();
  }
}

async function tlsRoundTrip(report) {
  const pair = tls.generateCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'] });
  const s = server.serve({ host: '127.0.0.1', port: 0, protocols: ['v1'], tls: { certFile: pair.cert, keyFile: pair.key } });
  try {
    const { port } = await s.listening;
    const open = await firstValueFrom(
      rxws.connect('wss://127.0.0.1:' + port + '/', { protocols: ['v1'], tls: { caFile: pair.cert } }).pipe(filter((e) => e.type === 'open')),
    );
    report.tlsOpenedProtocol = open.protocol;
  } finally {
    await s.close();
  }
}

function marble(report) {
  const scheduler = new rxjsTesting.TestScheduler((actual, expected) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error('marble mismatch: ' + JSON.stringify(actual));
  });
  scheduler.run(({ cold, expectObservable }) => {
    const connect = testing.fakeConnect(
      () => cold('-#', undefined, new rxws.WebSocketError({ code: 'CONNECTION_REFUSED', reason: 'refused' })),
      (socket) => cold('-o', { o: testing.openEvent({ socket }) }),
    );
    expectObservable(connect('ws://x').pipe(rxws.reconnect(), map((e) => e.type))).toBe('-e 99ms -o', { e: 'error', o: 'open' });
  });
  report.marble = 'ok';
}

async function redisRoundTrip(report) {
  const url = process.env.REDIS_URL;
  if (url === undefined) { report.redis = 'skipped'; return; }
  const adapter = redis.redisAdapter({ url, channel: 'rxws-consumer-' + process.pid });
  const s = server.serve({ host: '127.0.0.1', port: 0, adapter });
  try {
    await s.listening;
    await firstValueFrom(adapter.status$.pipe(filter((status) => status === 'ready')));
    report.redis = await s.publish('over redis');
  } finally {
    await s.close();
  }
}

function sameClasses(report) {
  try {
    server.serve({ port: 0, tls: { certFile: 'only-a-cert.pem' } });
    report.tlsErrorFromServerIsTlsEntryClass = false;
  } catch (e) {
    report.tlsErrorFromServerIsTlsEntryClass = e instanceof tls.TlsConfigError;
  }
  try {
    server.serve({ port: -1 });
    report.serveOptionsErrorIsServerEntryClass = false;
  } catch (e) {
    report.serveOptionsErrorIsServerEntryClass = e instanceof server.ServeOptionsError;
  }
  return firstValueFrom(http.httpRequest('https://127.0.0.1:1/', { tls: { keyFile: 'only-a-key.pem' } })).then(
    () => { report.tlsErrorFromHttpIsTlsEntryClass = false; },
    (e) => { report.tlsErrorFromHttpIsTlsEntryClass = e instanceof http.HttpError && e.cause instanceof tls.TlsConfigError; },
  );
}

async function main(format) {
  const report = { format };
  await broadcastRoundTrip(report);
  await tlsRoundTrip(report);
  marble(report);
  await redisRoundTrip(report);
  await sameClasses(report);
  console.log(JSON.stringify(report));
}
`;

const ENTRIES = {
  rxws: 'rxws',
  server: 'rxws/server',
  http: 'rxws/http',
  tls: 'rxws/tls',
  testing: 'rxws/testing',
  redis: 'rxws/redis',
  rxjs: 'rxjs',
  rxjsTesting: 'rxjs/testing',
} as const;

/** The program's source as an ES module (`.mjs`) or a CommonJS script (`.cjs`). */
export function consumerApp(format: 'esm' | 'cjs'): string {
  const entries = Object.entries(ENTRIES);
  const imports =
    format === 'esm'
      ? entries.map(([name, from]) => `import * as ${name} from '${from}';`)
      : ['"use strict";', ...entries.map(([name, from]) => `const ${name} = require('${from}');`)];
  const run = `main('${format}').catch((e) => { console.error(e); process.exitCode = 1; });`;
  return `${imports.join('\n')}\n${BODY}\n${run}\n`;
}
