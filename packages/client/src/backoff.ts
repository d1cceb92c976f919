/** How reconnects are spaced (all in milliseconds). */
export interface BackoffOptions {
  /** The ceiling of the first delay (default 500). */
  baseDelayMs?: number;
  /** The cap every delay stays under (default 30,000). */
  maxDelayMs?: number;
  /** A connection open this long resets the delays to the first one's (default 10,000). */
  stableAfterMs?: number;
}

export const BACKOFF_DEFAULTS: Required<BackoffOptions> = { baseDelayMs: 500, maxDelayMs: 30_000, stableAfterMs: 10_000 };

/**
 * The delay before reconnect attempt `attempt` (0 for the first): exponential backoff with full jitter,
 * a uniform pick in [0, min(maxDelayMs, baseDelayMs × 2^attempt)), so clients cut off together do not
 * come back together.
 *
 * @example
 * backoffDelay(3, { baseDelayMs: 500, maxDelayMs: 30_000 }, Math.random); // somewhere in [0, 4000)
 */
export const backoffDelay = (attempt: number, { baseDelayMs, maxDelayMs }: Required<BackoffOptions>, random: () => number): number =>
  random() * Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt, 30));
