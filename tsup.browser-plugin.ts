import path from 'node:path';
import type { Plugin } from 'esbuild';

/**
 * Swaps the Node transport (`./transport`, on `ws`) for the browser one
 * (`./transport.browser`, on the global WebSocket), so the browser build never reaches `ws`.
 */
export const browserTransport: Plugin = {
  name: 'rxws-browser-transport',
  setup(build) {
    build.onResolve({ filter: /^\.\/transport$/ }, (args) => ({
      path: path.join(args.resolveDir, 'transport.browser.ts'),
    }));
  },
};
