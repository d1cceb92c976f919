import { createHash, randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ProjectSandboxOptions } from '../../sandbox/project';
import { audienceKeys } from '../../functions/lib/store/connection-store';
import { connectionKey, subscriptionKey } from '../../packages/contract/src/table-keys';
import { documentClient } from './dynamo';

/** A seeded number in [0, 1) per key: the same for the same parts whatever the timing. */
export const seededChance =
  (seed: string) =>
  (...parts: Array<string | number>): number =>
    createHash('sha256').update([seed, ...parts].join('\n')).digest().readUInt32BE(0) / 2 ** 32;

/**
 * Management API faults for the fan-out's message frames (acks and other answers pass): per
 * (connection, message) a non-retryable 403 or 413 with chance `final` (the same answer on every
 * try), and a 429 with chance `throttle` per attempt. `injected` counts what was answered.
 */
export function seededPostFaults(chance: ReturnType<typeof seededChance>, { final, throttle }: { final: number; throttle: number }) {
  const injected = { throttled: 0, final: new Map<string, number>() };
  const attempts = new Map<string, number>();
  const injectFault: NonNullable<ProjectSandboxOptions['injectFault']> = (operation, connectionId, data) => {
    if (operation !== 'PostToConnection' || data === undefined) return undefined;
    const frame = JSON.parse(data) as { type: string; id: string };
    if (frame.type !== 'message') return undefined;
    const pair = `${connectionId} ${frame.id}`;
    const drawn = chance('final', pair);
    if (drawn < final) {
      const status = drawn < final / 2 ? 403 : 413;
      if (!injected.final.has(pair)) injected.final.set(pair, status);
      return status;
    }
    const attempt = (attempts.get(pair) ?? 0) + 1;
    attempts.set(pair, attempt);
    if (chance('throttle', pair, attempt) < throttle) {
      injected.throttled += 1;
      return 429;
    }
    return undefined;
  };
  return { injectFault, injected };
}

/** Connections stored and subscribed to `channel` but gone from the gateway (a $disconnect that never came): each post answers 410. */
export async function staleSubscribers(tableName: string, channel: string, count: number): Promise<string[]> {
  const stale = Array.from({ length: count }, (_, n) => `stale${n}${randomUUID().slice(0, 8)}=`);
  const ttl = Math.floor(Date.now() / 1000) + 3600;
  for (const connectionId of stale) {
    const userId = `ghost-${connectionId}`;
    await documentClient().send(
      new PutCommand({
        TableName: tableName,
        Item: { ...connectionKey(connectionId), ...audienceKeys(connectionId, userId, undefined, Date.now()), type: 'connection', connectionId, userId, authMode: 'anonymous', connectedAt: Date.now(), ttl, subscriptionCount: 1 },
      }),
    );
    await documentClient().send(
      new PutCommand({
        TableName: tableName,
        Item: { ...subscriptionKey(channel, connectionId), GSI1PK: `CONNECTION#${connectionId}`, GSI1SK: `CHANNEL#${channel}`, type: 'subscription', channel, connectionId, ttl },
      }),
    );
  }
  return stale;
}
