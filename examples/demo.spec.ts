import { main } from './demo';

describe('the main demo', () => {
  it('talks to the server, sees it go away, backs off, reconnects and talks again', async () => {
    const lines: string[] = [];
    await main((line) => lines.push(line));
    const client = lines.filter((l) => l.startsWith('client')).map((l) => l.replace(/\s+/g, ' '));
    expect(client[0]).toMatch(/^client open ws:\/\/127\.0\.0\.1:\d+\/ protocol=demo\.v1$/);
    expect(client[1]).toBe('client message "echo: hello"');
    expect(client[2]).toBe('client close code=1001 reason="Server shutting down" remote=true');
    expect(client[3]).toMatch(/^client error retries=1 wait=100ms Unable to connect to 127\.0\.0\.1 on port \d+/);
    expect(client[4]).toMatch(/^client error retries=2 wait=200ms /);
    expect(client[5]).toMatch(/^client open /);
    expect(client[6]).toBe('client message "echo: hello again"');
    expect(lines.at(-1)).toBe('done');
  });
});
