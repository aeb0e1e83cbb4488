// memoryHistory(): positions, reads, and every bound (count, bytes, age, channels), in virtual time.
import { VirtualTimeScheduler } from 'rxjs';
import { memoryHistory, type HistoryRead, type HistoryStore } from 'rxws/server';

const bodiesOf = (read: HistoryRead): string[] => (read.recovered ? read.entries.map((e) => String(e.body)) : []);

describe('memoryHistory()', () => {
  let scheduler: VirtualTimeScheduler;
  let store: HistoryStore;
  /** Moves virtual time on by `ms`. */
  const wait = (ms: number): void => {
    scheduler.schedule(() => undefined, ms);
    scheduler.flush();
  };
  beforeEach(() => {
    scheduler = new VirtualTimeScheduler();
  });

  it('numbers each channel from 1 in one epoch; a read gives what came after a position, at most limit', () => {
    store = memoryHistory({ scheduler });
    const a1 = store.append('a', 'a1');
    const b1 = store.append('b', 'b1');
    const a2 = store.append('a', 'a2');
    expect([a1, a2].map((p) => ('offset' in p ? p.offset : -1))).toEqual([1, 2]);
    expect(b1).toMatchObject({ offset: 1 });
    const { epoch } = a1 as { epoch: string };
    expect(epoch).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect((a2 as { epoch: string }).epoch).toBe(epoch);
    expect((b1 as { epoch: string }).epoch).not.toBe(epoch); // per channel
    store.append('a', 'a3');
    const read = store.read('a', { epoch, offset: 1 }, 10) as HistoryRead;
    expect(read).toMatchObject({ recovered: true, position: { epoch, offset: 3 } });
    expect(bodiesOf(read)).toEqual(['a2', 'a3']);
    expect(bodiesOf(store.read('a', { epoch, offset: 0 }, 2) as HistoryRead)).toEqual(['a1', 'a2']);
    expect(store.read('a', { epoch, offset: 3 }, 10)).toEqual({ recovered: true, entries: [], position: { epoch, offset: 3 } });
    expect(store.read('a', undefined, 10)).toEqual({ recovered: true, entries: [], position: { epoch, offset: 3 } });
  });

  it.each([
    ['another epoch', (epoch: string) => ({ epoch: `${epoch}x`, offset: 1 })],
    ['an offset ahead of the channel', (epoch: string) => ({ epoch, offset: 9 })],
  ])('answers recovered: false with the position now for %s', (_what, position) => {
    store = memoryHistory({ scheduler });
    const { epoch } = store.append('a', 'a1') as { epoch: string };
    expect(store.read('a', position(epoch), 10)).toEqual({ recovered: false, position: { epoch, offset: 1 } });
  });

  it('keeps the last maxMessages: a position before them is not recovered, one inside them is', () => {
    store = memoryHistory({ scheduler, maxMessages: 3 });
    let epoch = '';
    for (let i = 1; i <= 5; i++) epoch = (store.append('a', `m${i}`) as { epoch: string }).epoch;
    expect(store.read('a', { epoch, offset: 1 }, 10)).toEqual({ recovered: false, position: { epoch, offset: 5 } });
    expect(bodiesOf(store.read('a', { epoch, offset: 2 }, 10) as HistoryRead)).toEqual(['m3', 'm4', 'm5']);
  });

  it('keeps at most maxBytes of bodies, but always the newest one', () => {
    store = memoryHistory({ scheduler, maxBytes: 10 });
    let epoch = '';
    for (const body of ['aaaa', 'bbbb', 'cccc', 'é'.repeat(3)]) epoch = (store.append('a', body) as { epoch: string }).epoch;
    // 'cccc' (4 B) + 'ééé' (6 B) = 10 B
    expect(bodiesOf(store.read('a', { epoch, offset: 2 }, 10) as HistoryRead)).toEqual(['cccc', 'ééé']);
    store.append('a', new Uint8Array(50));
    const last = store.read('a', { epoch, offset: 4 }, 10) as HistoryRead;
    expect(last.recovered && last.entries.map((e) => e.offset)).toEqual([5]);
  });

  it('forgets publications older than maxAgeMs, on reads too', () => {
    store = memoryHistory({ scheduler, maxAgeMs: 1000 });
    const { epoch } = store.append('a', 'old') as { epoch: string };
    wait(600);
    store.append('a', 'newer');
    wait(500);
    expect(store.read('a', { epoch, offset: 0 }, 10)).toEqual({ recovered: false, position: { epoch, offset: 2 } });
    expect(bodiesOf(store.read('a', { epoch, offset: 1 }, 10) as HistoryRead)).toEqual(['newer']);
    wait(600);
    // Nothing missed since offset 2, even though nothing is kept: still recovered.
    expect(store.read('a', { epoch, offset: 2 }, 10)).toEqual({ recovered: true, entries: [], position: { epoch, offset: 2 } });
    expect(store.read('a', { epoch, offset: 1 }, 10)).toMatchObject({ recovered: false });
  });

  it('a channel read before its first publication keeps the epoch it was given, so offset 0 resumes', () => {
    store = memoryHistory({ scheduler });
    const empty = store.read('fresh', undefined, 10) as HistoryRead;
    expect(empty.position.offset).toBe(0);
    store.append('fresh', 'first');
    expect(bodiesOf(store.read('fresh', empty.position, 10) as HistoryRead)).toEqual(['first']);
  });

  it('past maxChannels forgets the least recently published channel: its next publication is a new epoch', () => {
    store = memoryHistory({ scheduler, maxChannels: 2 });
    const a = store.append('a', 'a1') as { epoch: string };
    store.append('b', 'b1');
    store.append('a', 'a2');
    store.append('c', 'c1'); // b is the least recently published: forgotten
    expect((store.read('a', { epoch: a.epoch, offset: 1 }, 10) as HistoryRead).recovered).toBe(true);
    const b = store.append('b', 'b2') as { epoch: string; offset: number };
    expect(b.offset).toBe(1);
  });

  it.each([
    [{ maxMessages: 0 }, 'memoryHistory(): maxMessages must be a whole number >= 1 or Infinity, got 0'],
    [{ maxBytes: 1.5 }, 'memoryHistory(): maxBytes must be a whole number >= 1 or Infinity, got 1.5'],
    [{ maxAgeMs: -1 }, 'memoryHistory(): maxAgeMs must be a whole number >= 1 or Infinity, got -1'],
  ])('refuses %j with a clear RangeError', (options, message) => {
    expect(() => memoryHistory(options)).toThrow(new RangeError(message));
  });
});
