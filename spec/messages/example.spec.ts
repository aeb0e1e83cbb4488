import { main } from '../../examples/remote-observables';

describe('examples/remote-observables.ts', () => {
  it('a value, a stream, a stream stopped by unsubscribing, and an error with its code', async () => {
    const log: string[] = [];
    await main((line) => log.push(line));
    expect(log).toEqual(['add: 6', 'countdown: 3 2 1', 'ticker: 0 1, then stopped on the server', 'withdraw: NO_FUNDS Not enough funds {"balance":0}']);
  });
});
