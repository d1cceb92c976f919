/**
 * What a connection item tells a reader of the table (docs/data-model.md): who is on the connection
 * and with which session. The module's `$connect` writes these attributes; the publisher's read API
 * (`get`, `getByUser`, `getByTenant`) returns them.
 */
import type { AuthMode } from './identity';

export interface ConnectionInfo {
  connectionId: string;
  /** Absent while a two-phase connection has not authenticated. */
  userId?: string;
  tenantId?: string;
  roles?: string[];
  authMode: AuthMode;
  /** The user session the connection was authorised with: the token's `sid`. */
  sessionId?: string;
  /** When API Gateway accepted the connection, epoch milliseconds. */
  connectedAt: number;
}

/** TTL deletes lag by up to two days: an item past its `ttl` (epoch s) is treated as gone. */
export const isLiveConnectionItem = (item: Record<string, unknown>, nowSeconds: number): boolean => typeof item.ttl !== 'number' || item.ttl > nowSeconds;

/**
 * The public fields of a connection item.
 *
 * @example
 * const { Item } = await documents.send(new GetCommand({ TableName, Key: connectionKey(connectionId) }));
 * const info = Item ? connectionInfoOfItem(Item) : undefined;
 */
export function connectionInfoOfItem(item: Record<string, unknown>): ConnectionInfo {
  const optional = (name: string): string | undefined => (typeof item[name] === 'string' ? (item[name] as string) : undefined);
  const info: ConnectionInfo = { connectionId: item.connectionId as string, authMode: item.authMode as AuthMode, connectedAt: item.connectedAt as number };
  for (const name of ['userId', 'tenantId', 'sessionId'] as const) {
    const value = optional(name);
    if (value !== undefined) info[name] = value;
  }
  if (Array.isArray(item.roles)) info.roles = item.roles as string[];
  return info;
}
