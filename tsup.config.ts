import path from 'node:path';
import { defineConfig, type Options } from 'tsup';
import type { Plugin } from 'esbuild';

/** Swaps the Node transport for the browser one: the browser build never sees `ws`. */
export const browserTransport: Plugin = {
  name: 'rxws-browser-transport',
  setup(build) {
    build.onResolve({ filter: /^\.\/transport$/ }, (args) => ({
      path: path.join(args.resolveDir, 'transport.browser.ts'),
    }));
  },
};

const shared: Options = {
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  target: 'es2022',
  // rxjs is a peer: one copy shared with the user's code, so TestScheduler virtualizes rxws's timers.
  external: ['rxjs', 'ws', 'node-forge', 'commander', 'cli-progress', 'redis'],
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
