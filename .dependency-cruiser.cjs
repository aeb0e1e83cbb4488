// The layers of src/ and the rule that joins them: imports point down, never up, never round.
// docs/architecture.md draws the same picture; spec/build/architecture.spec.ts keeps it true.
//
//   cli                                   the rxws bin, on the public entries
//   redis                                 the Redis adapter, on the server
//   server · http · testing               serve(), httpRequest(), the fakes (siblings: none imports another)
//   client                                WebSocketClient
//   operators                             reconnect, keepAlive, selectProtocol, backoffDelay
//   observables                           connect(), the two transports, the socket handle
//   proxy                                 proxy tunnels for the Node transport and httpRequest
//   messages · tls                        codecs and the envelope · TlsOptions resolution, certificates
//   core                                  the browser-safe vocabulary: events, constants, errors, options, rules
//
// src/index.ts is the `rxws` entry and may reach every browser-safe layer.
const LAYERS = {
  core: [],
  messages: ['core'],
  tls: ['core'],
  proxy: ['core', 'tls'],
  observables: ['core', 'messages', 'tls', 'proxy'],
  operators: ['core', 'observables'],
  client: ['core', 'messages', 'observables', 'operators'],
  http: ['core', 'tls', 'proxy', 'observables'],
  server: ['core', 'messages', 'tls', 'observables', 'operators', 'client'],
  testing: ['core', 'messages', 'observables', 'operators', 'client'],
  redis: ['core', 'messages', 'operators', 'server'],
  cli: ['core', 'messages', 'tls', 'proxy', 'observables', 'operators', 'client', 'http', 'server', 'testing', 'redis', 'index.ts'],
};

// Browser-safe: these reach no Node built-in and no `ws` (the Node transport is chosen by the
// `exports` conditions, see tsup.browser-plugin.ts).
const BROWSER_SAFE = '^src/(index\\.ts|core/|messages/|operators/|client/|testing/|observables/(?!transport\\.ts$|ws-socket\\.ts$))';

const layerRules = Object.entries(LAYERS).map(([layer, below]) => ({
  name: `${layer}-points-down`,
  comment: `src/${layer} may import only ${below.length ? below.map((b) => `src/${b}`).join(', ') : 'itself'}`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: '^src/', pathNot: `^src/(${[layer, ...below].map((b) => b.replace('.', '\\.')).join('|')})(/|$)` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A circle of imports means two files share one idea: give the shared part its own file.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'rxws-entry-is-browser-safe',
      comment: 'src/index.ts (the `rxws` entry) re-exports browser-safe layers only.',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: '^src/', pathNot: '^src/(core|messages|observables|operators|client)/' },
    },
    {
      name: 'browser-safe-reaches-no-node',
      comment: 'The browser build must not reach a Node built-in or ws.',
      severity: 'error',
      from: { path: BROWSER_SAFE },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'browser-safe-reaches-no-ws',
      comment: 'The browser build must not reach ws, TLS or proxies.',
      severity: 'error',
      from: { path: BROWSER_SAFE },
      to: { path: '^(node_modules/ws/|src/tls/|src/proxy/)' },
    },
    {
      name: 'nothing-imports-the-cli',
      severity: 'error',
      from: { pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    // Type-only imports count: a circle through types is still two files sharing one idea.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
  },
};
