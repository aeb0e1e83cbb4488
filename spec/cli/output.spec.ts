import { PassThrough } from 'node:stream';
import { printEvent } from '../../src/cli/events';
import { colorEnabled, escapeControls, Output } from '../../src/cli/output';
import type { SocketHandle } from '../../src/index';

function capture(isTTY: boolean, options: { json?: boolean; env?: NodeJS.ProcessEnv } = {}): { out: Output; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { out: new Output({ stream, json: options.json, env: options.env ?? {} }), text: () => text };
}

describe('CLI output', () => {
  it('colours the label on a terminal', () => {
    const { out, text } = capture(true);
    out.event('open', 'green', 'ws://x');
    expect(text()).toBe('\u001b[32mopen\u001b[39m ws://x\n');
  });

  it('prints plain lines in a pipe', () => {
    const { out, text } = capture(false);
    out.event('open', 'green', 'ws://x');
    expect(text()).toBe('open ws://x\n');
  });

  it('honours NO_COLOR on a terminal and FORCE_COLOR in a pipe', () => {
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
  });

  it('--json prints one object per line with bytes as base64 and no colour', () => {
    const { out, text } = capture(true, { json: true });
    out.event('message', 'cyan', 'ignored', { binary: true, data: new Uint8Array([1, 2, 255]) });
    expect(text()).toBe('{"event":"message","binary":true,"data":"AQL/"}\n');
  });

  describe("a peer's terminal escape sequences", () => {
    const hostile = 'hi\u001b]0;owned\u0007\u001b[2J\r\u009b31m done';
    const message = { type: 'message', data: hostile, binary: false, wireSize: hostile.length, socket: {} as SocketHandle } as const;

    it('are shown escaped on a terminal, never interpreted', () => {
      const { out, text } = capture(true, { env: { NO_COLOR: '1' } });
      printEvent(out, message);
      expect(text()).toBe('message hi\\x1b]0;owned\\x07\\x1b[2J\\x0d\\x9b31m done\n');
    });

    it('are escaped in a close reason on a terminal too', () => {
      const { out, text } = capture(true, { env: { NO_COLOR: '1' } });
      printEvent(out, { type: 'close', code: 1000, reason: '\u001b[31mred', remote: true, wasClean: true });
      expect(text()).toBe('close 1000 \\x1b[31mred (by the peer)\n');
    });

    it('pass through unchanged in a pipe and in --json (the data stays exact)', () => {
      const piped = capture(false);
      printEvent(piped.out, message);
      expect(piped.text()).toBe(`message ${hostile}\n`);
      const json = capture(true, { json: true });
      printEvent(json.out, message);
      expect((JSON.parse(json.text()) as { data: string }).data).toBe(hostile);
    });

    it('keep tabs, line feeds and printable Unicode', () => {
      expect(escapeControls('a\tb\nç 😀')).toBe('a\tb\nç 😀');
    });
  });
});
