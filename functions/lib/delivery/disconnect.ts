import { DeleteConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { SQSRecord } from 'aws-lambda';
import { log } from '../log';
import { classifyPostError } from '../push/management-api';
import type { Connection } from '../store/connection-store';
import type { FanoutContext } from './context';
import { toDeadLetter } from './dead-letter';
import type { Limit } from './deliver';
import { post } from './deliver';
import { errorFrame } from '../../../packages/contract/src/frames';
import { disconnectCodeOf, type DisconnectRecord, type DisconnectTarget } from '../../../packages/contract/src/queue-message';

/** The live connections a disconnect target names: one, a user's, or a user's of one session (`sessionId`, the token's `sid`). */
async function matching({ connections }: Pick<FanoutContext, 'connections'>, target: DisconnectTarget): Promise<Connection[]> {
  if (target.type === 'connection') {
    const connection = await connections.getConnection(target.connectionId);
    return connection ? [connection] : [];
  }
  const found: Connection[] = [];
  let cursor: string | undefined;
  do {
    const page = await connections.listUserConnections(target.userId, { cursor });
    found.push(...page.connections.filter((connection) => target.sessionId === undefined || connection.sessionId === target.sessionId));
    cursor = page.cursor;
  } while (cursor);
  return found;
}

/** The frame a closed connection is told why with. */
export const closingFrame = (reason: string): string =>
  JSON.stringify(errorFrame({ code: disconnectCodeOf(reason), message: `the connection is closed (${reason})`, reason }));

/**
 * Closes one connection: its resumable session first (so neither a 410 nor its `$disconnect` makes it
 * resumable), then the frame, then DeleteConnection, then its items (the connection, counted out of its
 * user's counter, its token deadline and subscriptions). False when a step should be tried again (429,
 * 5xx, no answer): the redelivery finds what is left. A 410 anywhere means closed already.
 */
async function closeOne(context: FanoutContext, { record, connection, reason, frame }: { record: SQSRecord; connection: Connection; reason: string; frame: string }): Promise<boolean> {
  const { connectionId, wsSession } = connection;
  if (wsSession) await context.closeSession({ sessionId: wsSession, connectionId, reason });
  const posted = await post(context, { connectionId, frame });
  if (posted.kind === 'retry') return false;
  // Gone: `post` removed its items already.
  if (posted.kind === 'gone') return true;
  if (posted.kind === 'rejected') await toDeadLetter(context, { record, reason: posted.reason, details: { messageId: record.messageId, status: posted.status, connectionIds: [connectionId] } });
  try {
    await context.management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
  } catch (error) {
    const outcome = classifyPostError(error);
    if (outcome.kind === 'retry') return false;
    if (outcome.kind === 'rejected') await toDeadLetter(context, { record, reason: outcome.reason, details: { messageId: record.messageId, status: outcome.status, connectionIds: [connectionId], step: 'delete_connection' } });
  }
  await context.forgetConnection(connectionId);
  return true;
}

/**
 * A `disconnect` record is served: every live connection it names is told why (`SESSION_EVICTED`,
 * `SESSION_REVOKED`, or `DISCONNECTED` with the reason), closed and removed, side by side within the
 * invocation's bound. Idempotent: a redelivery finds only what is left (nothing, once done). False when
 * a connection should be tried again later.
 *
 * @example
 * const done = await disconnect(context, { record, disconnectRecord, limit });
 */
export async function disconnect(context: FanoutContext, { record, disconnectRecord, limit }: { record: SQSRecord; disconnectRecord: DisconnectRecord; limit: Limit }): Promise<boolean> {
  const { target, reason } = disconnectRecord;
  const found = await matching(context, target);
  const frame = closingFrame(reason);
  const results = await Promise.all(found.map((connection) => limit(() => closeOne(context, { record, connection, reason, frame }))));
  const closed = results.filter(Boolean).length;
  log({ event: 'connections_closed', id: disconnectRecord.id, reason, target: target.type, matched: found.length, closed }, { ConnectionsClosed: closed });
  return closed === found.length;
}
