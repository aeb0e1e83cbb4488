import { PassThrough } from 'node:stream';
import { colorEnabled, Output } from '../../src/cli/output';

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
});
