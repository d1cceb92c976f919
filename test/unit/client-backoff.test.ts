import { backoffDelay } from '../../packages/client/src';

const options = { baseDelayMs: 500, maxDelayMs: 30_000, stableAfterMs: 10_000 };

describe('client reconnect backoff', () => {
  it.each([0, 1, 2, 5, 6, 7, 20, 1000])('stays in [0, min(cap, base × 2^attempt)) at attempt %i', (attempt) => {
    const ceiling = Math.min(30_000, 500 * 2 ** attempt);
    expect(backoffDelay(attempt, options, () => 0)).toBe(0);
    expect(backoffDelay(attempt, options, () => 0.999999)).toBeLessThan(ceiling);
    expect(backoffDelay(attempt, options, () => 0.999999)).toBeGreaterThan(ceiling * 0.999);
  });

  it('spreads clients cut off together over the whole window (full jitter)', () => {
    const delays = Array.from({ length: 2000 }, () => backoffDelay(4, options, Math.random));
    const ceiling = 500 * 2 ** 4;
    const buckets = [0, 0, 0, 0];
    for (const delay of delays) buckets[Math.floor((delay / ceiling) * 4)]! += 1;
    // Each quarter of [0, 8000) gets about 500 of 2000; a fixed or half-jitter delay would leave quarters empty.
    for (const count of buckets) expect(count).toBeGreaterThan(350);
  });
});
