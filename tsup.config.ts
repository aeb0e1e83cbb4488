import { defineConfig, type Options } from 'tsup';
import { browserTransport } from './tsup.browser-plugin';

const shared: Options = {
  format: ['esm', 'cjs'],
  // The public types name no internal member (`@internal`), so they need nothing but rxjs and @types/node.
  dts: { compilerOptions: { stripInternal: true } },
  // Shared chunks in both formats: one copy of each class and each module-level state across the
  // entries, so an error thrown through `rxws/server` is `instanceof` the one `rxws/tls` exports.
  splitting: true,
  // Rollup, not sucrase, turns the shared chunks into CommonJS: sucrase would also rewrite every
  // `?.` and `??` into helper calls that allocate on the hot path.
  treeshake: true,
  sourcemap: true,
  target: 'es2022',
  // rxjs is a peer: one copy shared with the user's code, so TestScheduler virtualizes rxws's timers.
  external: ['rxjs', 'ws', 'node-forge', 'commander', 'cli-progress', 'redis', '@msgpack/msgpack', 'agent-base', 'https-proxy-agent', 'socks-proxy-agent', 'proxy-from-env'],
  outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
};

export default defineConfig([
  {
    ...shared,
    entry: {
      index: 'src/index.ts',
      server: 'src/server/index.ts',
      http: 'src/http/index.ts',
      tls: 'src/tls/index.ts',
      testing: 'src/testing/index.ts',
      redis: 'src/redis/index.ts',
    },
    platform: 'node',
  },
  {
    ...shared,
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
    outDir: 'dist/browser',
    platform: 'browser',
    dts: false,
    esbuildPlugins: [browserTransport],
  },
  {
    ...shared,
    entry: { cli: 'src/cli/main.ts' },
    format: ['cjs'],
    dts: false,
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
