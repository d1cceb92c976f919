import { createSessionService, type SessionService, type SessionServiceOptions } from '../../packages/sessions/src';
import type { LogEntry } from '../../functions/lib/log';
import { documentClient } from './dynamo';

/** The log lines a service wrote, with their metrics. */
export type LoggedLine = LogEntry & Record<string, unknown>;

/**
 * A session service on the test table with DynamoDB Local's client, capturing its log lines. `clock`
 * gives every call a distinct, increasing time (so "least recently used" is never a tie).
 */
export function testSessionService(
  tableName: string,
  options: Partial<SessionServiceOptions> & { clock?: 'strict' } = {},
): { service: SessionService; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  let last = 0;
  const strict = (): number => (last = Math.max(last + 1, Date.now()));
  const service = createSessionService({
    tableName,
    client: documentClient(),
    log: (entry, metrics) => lines.push({ ...entry, ...metrics }),
    ...(options.clock === 'strict' ? { nowMs: strict } : {}),
    ...options,
  });
  return { service, lines };
}

export const device = { browser: 'Firefox 133', os: 'Debian 12', ip: '203.0.113.7', deviceId: 'laptop-1' };
