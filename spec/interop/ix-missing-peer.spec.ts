// A missing IXWebSocket ws binary fails the IX specs with one line saying what to run, never a skip.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IX_BUILD_SCRIPT, requireIxWs } from './ix-peer';

describe('IXWebSocket ws peer', () => {
  it('no build script: fails saying to run it', () => {
    expect(() => requireIxWs('/nonexistent/peers/build-ixwebsocket.sh')).toThrow(
      "IXWebSocket's ws peer is missing: run /nonexistent/peers/build-ixwebsocket.sh once (it builds and caches the ws tool, 3-5 minutes)",
    );
  });

  it('a script whose binary was never built: fails with the same one line (the test never builds it)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rxws-ix-missing-'));
    const cache = process.env.RXWS_PEERS_CACHE;
    try {
      writeFileSync(path.join(dir, 'build-ixwebsocket.sh'), '#!/bin/sh\n');
      writeFileSync(path.join(dir, 'ixwebsocket-0000000000.tar.gz'), '');
      process.env.RXWS_PEERS_CACHE = path.join(dir, 'cache');
      expect(() => requireIxWs(path.join(dir, 'build-ixwebsocket.sh'))).toThrow(/^IXWebSocket's ws peer is missing: run .*build-ixwebsocket\.sh once/);
    } finally {
      if (cache === undefined) delete process.env.RXWS_PEERS_CACHE;
      else process.env.RXWS_PEERS_CACHE = cache;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the built binary is found where build-ixwebsocket.sh caches it', () => {
    expect(requireIxWs(IX_BUILD_SCRIPT)).toMatch(/ixwebsocket-[0-9a-f]+\/build\/ws\/ws$/);
  });
});
