import { backoffDelay } from 'rxws';

describe('backoffDelay()', () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1600],
    [6, 3200],
    [7, 6400],
    [8, 10000],
    [9, 10000],
    [26, 10000],
    [27, 10000],
    [1000, 10000],
  ])('follows IXWebSocket by default: after %i failed tries, waits %i ms', (retries, ms) => {
    expect(backoffDelay(retries)).toBe(ms);
  });

  it.each([
    [{ maxWaitMs: 300 }, 3, 300],
    [{ minWaitMs: 250 }, 1, 250],
    [{ minWaitMs: 250 }, 2, 250],
    [{ minWaitMs: 250 }, 3, 400],
    [{ minWaitMs: 0, maxWaitMs: 0 }, 5, 0],
    [{ maxWaitMs: 2 ** 31 - 1 }, 25, 100 * 2 ** 24],
    [{ maxWaitMs: 2 ** 31 - 1 }, 27, 2 ** 31 - 1],
  ])('clamps to minWaitMs and maxWaitMs: %j, retries %i -> %i ms', (options, retries, ms) => {
    expect(backoffDelay(retries, options)).toBe(ms);
  });

  it.each([
    ['full', 0, 1],
    ['full', 0.5, 201],
    ['full', 0.999999, 400],
    ['equal', 0, 200],
    ['equal', 0.5, 300],
    ['equal', 0.999999, 400],
  ] as const)("jitter '%s' with random() = %d gives %i ms for the 3rd failure (400 ms)", (jitter, r, ms) => {
    expect(backoffDelay(3, { jitter, random: () => r })).toBe(ms);
  });

  it('keeps jittered delays within their bounds for every retry count', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let retries = 1; retries <= 40; retries++) {
      const d = backoffDelay(retries);
      for (let i = 0; i < 50; i++) {
        const full = backoffDelay(retries, { jitter: 'full', random });
        const equal = backoffDelay(retries, { jitter: 'equal', random });
        expect(full).toBeGreaterThanOrEqual(1);
        expect(full).toBeLessThanOrEqual(d);
        expect(equal).toBeGreaterThanOrEqual(d / 2);
        expect(equal).toBeLessThanOrEqual(d);
      }
    }
  });

  it('refuses bad input with a RangeError that names it', () => {
    expect(() => backoffDelay(0)).toThrow(/retries counts failed tries from 1, got 0/);
    expect(() => backoffDelay(1.5)).toThrow(RangeError);
    expect(() => backoffDelay(1, { minWaitMs: -1 })).toThrow(/minWaitMs/);
    expect(() => backoffDelay(1, { minWaitMs: 500, maxWaitMs: 100 })).toThrow(/maxWaitMs must be .* >= minWaitMs \(500\), got 100/);
    expect(() => backoffDelay(1, { jitter: 'some' as 'full' })).toThrow(/jitter must be 'none', 'full' or 'equal'/);
  });
});
