// The runner's verdicts, checked against scripted sides (raw peers playing the side under
// test): a side that fails invalid UTF-8 at the bad fragment must come out OK, one that fails
// it at the end of the message NON-STRICT, one that lets it through FAILED.
import type { WebSocketCloseEvent } from 'rxws';
import { closeCodeOf, closePayload, connectRawClient, Opcode, startRawServer, type RawPeer, type RawServer } from '../helpers/raw-peer';
import { CASES } from './cases';
import { runCase, type Outcome, type Target } from './runner';

type Validation = 'per fragment' | 'per message' | 'none';

const closed = (code: number, wasClean: boolean): WebSocketCloseEvent => ({ type: 'close', code, reason: '', remote: false, wasClean });
const isUtf8 = (b: Buffer): boolean => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
};

/** An echoing side that checks UTF-8 as `validation` says; resolves with its close event. */
async function scriptedSide(side: RawPeer, validation: Validation): Promise<WebSocketCloseEvent | undefined> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parts: Buffer[] = [];
  const fail = async (): Promise<WebSocketCloseEvent> => {
    await side.send([{ opcode: Opcode.CLOSE, payload: closePayload(1007) }]);
    const answer = await side.next(3000);
    side.end();
    return closed(1007, answer?.opcode === Opcode.CLOSE);
  };
  for (let frames = 0; frames < 100; frames++) {
    const f = await side.next(3000);
    if (!f) return undefined;
    if (f.opcode === Opcode.PING) await side.send([{ opcode: Opcode.PONG, payload: f.payload }]);
    else if (f.opcode === Opcode.CLOSE) {
      await side.send([{ opcode: Opcode.CLOSE, payload: f.payload.subarray(0, 2) }]);
      side.end();
      return closed(closeCodeOf(f), true);
    } else {
      parts.push(f.payload);
      if (validation === 'per fragment') {
        try {
          decoder.decode(f.payload, { stream: !f.fin });
        } catch {
          return fail();
        }
      }
      if (f.fin) {
        const message = Buffer.concat(parts.splice(0));
        if (validation === 'per message' && !isUtf8(message)) return fail();
        await side.send([{ opcode: Opcode.TEXT, payload: message }]);
      }
    }
  }
  return undefined;
}

function scriptedTarget(validation: Validation, server: RawServer): Target {
  return {
    name: 'server',
    async open() {
      const peer = await connectRawClient(server.port);
      const side = await server.nextPeer();
      return { peer, closeEvent: scriptedSide(side, validation), dispose: () => side.destroy() };
    },
  };
}

describe('conformance runner: fail-fast verdicts (Autobahn 6.4)', () => {
  let server: RawServer;
  beforeAll(async () => {
    server = await startRawServer();
  });
  afterAll(() => server.close());

  const outcome = async (id: string, validation: Validation): Promise<Outcome> => {
    const c = CASES.find((x) => x.id === id);
    if (!c) throw new Error(`no case ${id}`);
    return (await runCase(c, scriptedTarget(validation, server))).outcome;
  };

  it.each(['6.4.1', '6.4.2'])('%s: OK when the bad fragment fails the connection', async (id) => {
    expect(await outcome(id, 'per fragment')).toBe('OK');
  });

  it.each(['6.4.1', '6.4.2'])('%s: NON-STRICT when only the complete message does', async (id) => {
    expect(await outcome(id, 'per message')).toBe('NON-STRICT');
  });

  it.each(['6.4.1', '6.4.3'])('%s: FAILED when invalid UTF-8 is echoed', async (id) => {
    expect(await outcome(id, 'none')).toBe('FAILED');
  });

  it('6.2.3: OK when valid UTF-8 split inside code points is echoed whole', async () => {
    expect(await outcome('6.2.3', 'per fragment')).toBe('OK');
  });
});
