import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  attachSessionInput,
  createSessionInput,
  getSessionInput,
  isLive,
  linkSessionInput,
  newSessionId,
  sessionOfItem,
  setSessionStateInput,
} from '../../../packages/contract/src/session-item';
import type { TeleprinterSessions } from './teleprinter-core';

/**
 * The teleprinter's sessions: the module's resumable sessions, written with the contract's requests
 * (packages/contract/src/session-item.ts), so the module's functions detach them when their
 * connection goes and expire them after the resume window, as they do their own.
 *
 * @example
 * const sessions = createTeleprinterSessions({ client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName });
 */
export function createTeleprinterSessions({ client, tableName }: { client: DynamoDBDocumentClient; tableName: string }): TeleprinterSessions {
  const get = async (sessionId: string, nowSeconds: number) => {
    const { Item } = await client.send(new GetCommand(getSessionInput(tableName, sessionId)));
    return Item && isLive(Item, nowSeconds) ? sessionOfItem(Item) : undefined;
  };
  return {
    get,
    async create({ userId, connectionId, expiresAt, now }) {
      const sessionId = newSessionId();
      await client.send(new TransactWriteCommand(createSessionInput(tableName, { sessionId, userId, connectionId, expiresAt, now })));
      return { sessionId, userId, connectionId, status: 'active', state: null, version: 0, expiresAt };
    },
    async attach(params) {
      try {
        const { Attributes } = await client.send(new UpdateCommand(attachSessionInput(tableName, params)));
        await client.send(new UpdateCommand(linkSessionInput(tableName, params)));
        return Attributes ? sessionOfItem(Attributes) : undefined;
      } catch (error) {
        // Not the user's session, expired, or the connection went away meanwhile.
        if (error instanceof ConditionalCheckFailedException) return undefined;
        throw error;
      }
    },
    async setState(params) {
      try {
        const { Attributes } = await client.send(new UpdateCommand(setSessionStateInput(tableName, params)));
        return { ok: true, version: Attributes?.version as number };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const current = await get(params.sessionId, params.nowSeconds);
        return current ? { ok: false, reason: 'conflict', current } : { ok: false, reason: 'gone' };
      }
    },
  };
}
