import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newWriteId, writeUnlessConflict } from '../../../../functions/lib/store/conditional-write';
import { totpStepKey } from '../../../contract/src/table-keys';
import { decodeBase32, totpOptions, verifyTotp, type TotpOptions } from './totp';
import type { SecondFactor, SecondFactorVerdict } from './types';

/** How long the last-used step is kept past its use: longer than any code it could refuse stays valid. */
const STEP_RECORD_SLACK_SECONDS = 3600;

/**
 * The shipped second factor: TOTP codes (RFC 6238) from the user's authenticator app, each accepted
 * once. The last accepted time step is stored per user (`USER#{userId}` / `TOTPSTEP`) by a conditional
 * UpdateItem (`lastStep < step`), so a code (or an older one inside the window) is refused after use,
 * even by two requests racing with the same code: exactly one wins.
 *
 * @example
 * const factor = createTotpFactor({
 *   client, tableName,
 *   secretFor: async (userId) => (await users.get(userId))?.totpSecretBase32,
 *   windowSteps: readTotpWindowSteps(),
 * });
 */
export function createTotpFactor({
  client,
  tableName,
  secretFor,
  windowSteps = 1,
  options = {},
}: {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** The user's shared secret, as base32 text or bytes; undefined when the user has none (every code is wrong). */
  secretFor: (userId: string) => Promise<string | Uint8Array | undefined>;
  /** Steps either side of now a code may match (`TOTP_WINDOW_STEPS`). */
  windowSteps?: number;
  options?: TotpOptions;
}): SecondFactor {
  const resolved = totpOptions(options);
  if (!Number.isInteger(windowSteps) || windowSteps < 0 || windowSteps > 2) throw new RangeError(`windowSteps must be 0, 1 or 2, got ${windowSteps}`);

  /**
   * Records the step as used; false when this step or a later one was used already. A retry of this
   * very claim (its answer lost) meets its own step, told from another request's by `writeId`.
   */
  const claimStep = async (userId: string, step: number, nowSeconds: number): Promise<boolean> => {
    const writeId = newWriteId();
    return writeUnlessConflict(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: totpStepKey(userId),
          UpdateExpression: 'SET lastStep = :step, #ttl = :ttl, writeId = :writeId',
          ConditionExpression: 'attribute_not_exists(lastStep) OR lastStep < :step',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':step': step, ':ttl': nowSeconds + (windowSteps + 1) * resolved.stepSeconds + STEP_RECORD_SLACK_SECONDS, ':writeId': writeId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
      writeId,
    );
  };

  return {
    method: 'totp',
    async verify({ userId, code, nowMs }): Promise<SecondFactorVerdict> {
      const stored = await secretFor(userId);
      if (stored === undefined) return { ok: false, reason: 'INVALID_CODE' };
      const secret = typeof stored === 'string' ? decodeBase32(stored) : stored;
      const unixSeconds = Math.floor(nowMs / 1000);
      const step = verifyTotp({ secret, code, unixSeconds, windowSteps, options: resolved });
      if (step === undefined) return { ok: false, reason: 'INVALID_CODE' };
      return (await claimStep(userId, step, unixSeconds)) ? { ok: true } : { ok: false, reason: 'REPLAYED_CODE' };
    },
  };
}
