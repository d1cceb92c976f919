import { setTimeout as sleep } from 'node:timers/promises';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { metOwnWrite, newWriteId, writeUnlessConflict } from '../../../../functions/lib/store/conditional-write';
import { loginFlowKey, mfaFlowKey } from '../../../contract/src/table-keys';
import type { Device } from './types';

/** A login in progress: started, credentials being checked, or waiting for its MFA child. */
export interface LoginFlow {
  flowId: string;
  email: string;
  ip: string;
  device: Device;
  staySignedIn: boolean;
  startedAtMs: number;
  /** Epoch ms; the flow is dead from then on, whatever TTL has done. */
  expiresAtMs: number;
  /** Set once the credentials checked out and an MFA flow was opened. */
  mfaFlowId?: string;
}

/** The second-factor step of a login, child of `parentFlowId`. */
export interface MfaFlow {
  flowId: string;
  parentFlowId: string;
  userId: string;
  /** The email the login named, lower-cased: failures count under it. */
  email: string;
  /** The account's email as the credential check gave it: the session's. */
  accountEmail: string;
  ip: string;
  device: Device;
  staySignedIn: boolean;
  method: string;
  /** Epoch ms, never later than the parent's. */
  expiresAtMs: number;
  verified: boolean;
  verifiedAtMs?: number;
}

/** Whether one of a cancelled transaction's items failed its condition (the others only conflicted). */
const conditionFailed = (error: TransactionCanceledException): boolean => (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');

/** The TTL backstop (epoch s): a minute past the flow's own expiry, which reads check first. */
const ttlOf = (expiresAtMs: number): number => Math.ceil(expiresAtMs / 1000) + 60;

/**
 * Login and MFA flows in the single table (`LOGINFLOW#{id}` and `MFAFLOW#{id}`, `SK=METADATA`).
 * Reads are consistent and the callers check `expiresAtMs` on every read: TTL deletes late.
 */
export function createFlowStore({ client, tableName }: { client: DynamoDBDocumentClient; tableName: string }) {
  const get = async (key: { PK: string; SK: string }): Promise<Record<string, unknown> | undefined> =>
    (await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  const itemOf = (key: { PK: string; SK: string }, type: string, flow: LoginFlow | MfaFlow) => ({ ...key, type, ...flow, ttl: ttlOf(flow.expiresAtMs) });

  /**
   * A transaction whose conditions decide a race: true when it committed, false when a condition
   * failed; a conflict with another transaction in flight is retried, since that one may yet fail.
   */
  const transact = async (items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<boolean> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(new TransactWriteCommand({ TransactItems: items }));
        return true;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        if (conditionFailed(error)) return false;
        if (attempt === 5) throw error;
        await sleep(Math.random() * 20 * attempt);
      }
    }
  };

  return {
    async putLoginFlow(flow: LoginFlow): Promise<void> {
      // A retry of this put (its answer lost) meets the flow it stored: stored, not a conflict.
      const writeId = newWriteId();
      const put = new PutCommand({
        TableName: tableName,
        Item: { ...itemOf(loginFlowKey(flow.flowId), 'loginFlow', flow), writeId },
        ConditionExpression: 'attribute_not_exists(PK)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      try {
        await client.send(put);
      } catch (error) {
        if (!metOwnWrite(error, writeId)) throw error;
      }
    },

    async getLoginFlow(flowId: string): Promise<LoginFlow | undefined> {
      return (await get(loginFlowKey(flowId))) as LoginFlow | undefined;
    },

    async getMfaFlow(flowId: string): Promise<MfaFlow | undefined> {
      return (await get(mfaFlowKey(flowId))) as MfaFlow | undefined;
    },

    /** Opens the MFA child and links it from its parent, if the parent is still there, unexpired and without a child. */
    async openMfaFlow(mfa: MfaFlow, nowMs: number): Promise<boolean> {
      return transact([
        { Put: { TableName: tableName, Item: itemOf(mfaFlowKey(mfa.flowId), 'mfaFlow', mfa), ConditionExpression: 'attribute_not_exists(PK)' } },
        {
          Update: {
            TableName: tableName,
            Key: loginFlowKey(mfa.parentFlowId),
            UpdateExpression: 'SET mfaFlowId = :child',
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(mfaFlowId) AND expiresAtMs > :now',
            ExpressionAttributeValues: { ':child': mfa.flowId, ':now': nowMs },
          },
        },
      ]);
    },

    /** Marks an MFA flow's code verified; false when the flow is gone, expired or verified already. */
    async markVerified(flowId: string, nowMs: number): Promise<boolean> {
      // A retry of this mark (its answer lost) meets its own mark: verified by this request.
      const writeId = newWriteId();
      const update = new UpdateCommand({
        TableName: tableName,
        Key: mfaFlowKey(flowId),
        UpdateExpression: 'SET verified = :true, verifiedAtMs = :now, writeId = :writeId',
        ConditionExpression: 'attribute_exists(PK) AND expiresAtMs > :now AND verified = :false',
        ExpressionAttributeValues: { ':true': true, ':false': false, ':now': nowMs, ':writeId': writeId },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return writeUnlessConflict(client.send(update), writeId);
    },

    /**
     * Ends a verified MFA flow and its parent in one transaction, each deleted only if still
     * unexpired (and the child verified), so of two completions exactly one gets true.
     */
    async claimMfaCompletion(mfa: MfaFlow, nowMs: number): Promise<boolean> {
      return transact([
        {
          Delete: {
            TableName: tableName,
            Key: mfaFlowKey(mfa.flowId),
            ConditionExpression: 'verified = :true AND expiresAtMs > :now',
            ExpressionAttributeValues: { ':true': true, ':now': nowMs },
          },
        },
        {
          Delete: {
            TableName: tableName,
            Key: loginFlowKey(mfa.parentFlowId),
            ConditionExpression: 'mfaFlowId = :child AND expiresAtMs > :now',
            ExpressionAttributeValues: { ':child': mfa.flowId, ':now': nowMs },
          },
        },
      ]);
    },

    /** Ends a login flow without MFA; false when it is gone or expired (or has an MFA child). */
    async claimLoginCompletion(flowId: string, nowMs: number): Promise<boolean> {
      // A transaction of one, not a DeleteItem: a retry of a delete whose answer was lost finds the
      // flow gone, while the SDK's retry of a transaction carries its ClientRequestToken, answered as the first.
      return transact([
        {
          Delete: {
            TableName: tableName,
            Key: loginFlowKey(flowId),
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(mfaFlowId) AND expiresAtMs > :now',
            ExpressionAttributeValues: { ':now': nowMs },
          },
        },
      ]);
    },

    /** Removes a login flow and its MFA child (either may be gone already). */
    async removeFlows({ loginFlowId, mfaFlowId }: { loginFlowId: string; mfaFlowId?: string }): Promise<void> {
      const keys = [loginFlowKey(loginFlowId), ...(mfaFlowId ? [mfaFlowKey(mfaFlowId)] : [])];
      await Promise.all(keys.map((Key) => client.send(new DeleteCommand({ TableName: tableName, Key }))));
    },
  };
}

export type FlowStore = ReturnType<typeof createFlowStore>;
