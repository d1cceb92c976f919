import { log } from '../log';
import type { SessionStore } from '../sessions/session-store';
import { nowSeconds } from '../time';
import type { SweepResult } from './sweep-pages';

/** What a one-time expiry schedule sends: purge that session if it was not resumed. */
export interface ExpireInput {
  task: 'expire';
  sessionId: string;
}

/**
 * Serves one one-time expiry schedule: purges its session on time unless it was resumed.
 * @example
 * const result = await expireSession({ sessions }, { task: 'expire', sessionId }, emptyResult);
 */
export async function expireSession(
  { sessions }: { sessions: SessionStore },
  { sessionId }: Partial<ExpireInput>,
  result: SweepResult,
): Promise<SweepResult> {
  if (typeof sessionId === 'string' && (await sessions.purgeIfExpired(sessionId, nowSeconds()))) result.expired += 1;
  log({ event: 'session_expiry', sessionId, purged: result.expired === 1 }, { SessionsExpired: result.expired });
  return result;
}
