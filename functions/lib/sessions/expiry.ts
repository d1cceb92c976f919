import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { withRequestTimeouts } from '../config/aws-client';
import { readOptionalString } from '../../../packages/contract/src/readers';
import { ConfigError } from '../../../packages/contract/src/config-error';

/** Punctual session expiry: a one-time EventBridge Scheduler schedule per inactive session. */
export interface ExpiryScheduler {
  /** Schedules the purge of a session at `at` (epoch s); the schedule deletes itself after it ran. */
  schedule(sessionId: string, at: number): Promise<void>;
  /** Deletes the session's schedule (it was resumed); absent is fine. */
  cancel(sessionId: string): Promise<void>;
}

export const scheduleName = (sessionId: string): string => `expire-${sessionId}`;
/** `at(yyyy-mm-ddThh:mm:ss)` in UTC; Scheduler has whole seconds, so round up. */
export const atExpression = (epochSeconds: number): string => `at(${new Date(Math.ceil(epochSeconds) * 1000).toISOString().slice(0, 19)})`;

/**
 * Reads SESSION_SCHEDULE_GROUP, SESSION_SCHEDULER_ROLE_ARN and SESSION_EXPIRY_TARGET_ARN: all three or
 * none (then sessions expire by the sweeper and TTL only).
 */
export function readExpiryScheduler(env: Record<string, string | undefined> = process.env): ExpiryScheduler | undefined {
  const group = readOptionalString('SESSION_SCHEDULE_GROUP', env);
  const roleArn = readOptionalString('SESSION_SCHEDULER_ROLE_ARN', env);
  const targetArn = readOptionalString('SESSION_EXPIRY_TARGET_ARN', env);
  const given = [group, roleArn, targetArn].filter((value) => value !== undefined).length;
  if (given === 0) return undefined;
  if (given !== 3) throw new ConfigError('SESSION_SCHEDULE_GROUP, SESSION_SCHEDULER_ROLE_ARN and SESSION_EXPIRY_TARGET_ARN go together');
  return createExpiryScheduler({ client: new SchedulerClient(withRequestTimeouts({})), group: group!, roleArn: roleArn!, targetArn: targetArn! });
}

export function createExpiryScheduler({ client, group, roleArn, targetArn }: { client: SchedulerClient; group: string; roleArn: string; targetArn: string }): ExpiryScheduler {
  return {
    async schedule(sessionId, at) {
      const command = new CreateScheduleCommand({
        Name: scheduleName(sessionId),
        GroupName: group,
        ScheduleExpression: atExpression(at),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: { Arn: targetArn, RoleArn: roleArn, Input: JSON.stringify({ task: 'expire', sessionId }) },
      });
      try {
        await client.send(command);
      } catch (error) {
        if (!(error instanceof ConflictException)) throw error;
        // A schedule of an earlier disconnect of the same session: replace it.
        await this.cancel(sessionId);
        await client.send(command);
      }
    },
    async cancel(sessionId) {
      try {
        await client.send(new DeleteScheduleCommand({ Name: scheduleName(sessionId), GroupName: group }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    },
  };
}
