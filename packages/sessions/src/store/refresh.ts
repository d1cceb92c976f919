import { fingerprint } from '../../../../functions/lib/log';
import { InvalidRefreshTokenError, RefreshTokenReusedError } from '../errors';
import { hashRefreshToken, newRefreshToken } from '../tokens';
import type { RefreshResult, UserSession } from '../types';
import { RETRY, retrying, type StoreContext, type TransactItem } from './context';
import type { SessionDeleter } from './delete';
import { RETIRED_KEPT, refreshItem, refreshTokenKey, retiredOf, toSession } from './items';
import type { SessionReader } from './read';
import { applyChange, extendedBy } from './update';

/**
 * Refresh-token rotation. Presenting the session's current token replaces it with a new one and
 * renews the session, in one transaction conditional on the session's version. Presenting a rotated
 * token within the grace window does the same (two tabs that refreshed at once both carry on; the
 * token issued last is the current one). Presenting a rotated token after the window means a copy of
 * it is in other hands: the session is revoked, logged (`refresh_token_reused`) and counted
 * (`RefreshTokenReuse`), and the caller gets `RefreshTokenReusedError`.
 */
export class SessionRefresher {
  constructor(
    private readonly context: StoreContext,
    private readonly reader: SessionReader,
    private readonly deleter: SessionDeleter,
  ) {}

  /** `onRevoked` is called with the session when reuse detection deleted it (not when it was already gone). */
  async refresh(token: string, onRevoked?: (session: UserSession, revokedAt: number) => void): Promise<RefreshResult> {
    const { settings, nowMs, tableName, metrics } = this.context;
    return retrying(this.context, 'refresh', async () => {
      const presented = await this.reader.refreshItem(token);
      if (!presented) throw new InvalidRefreshTokenError('refresh token unknown or its session ended');
      const ref = { userId: presented.userId, sessionId: presented.sessionId };
      const item = await this.reader.item(ref);
      if (!item) throw new InvalidRefreshTokenError('refresh token unknown or its session ended');
      const now = nowMs();
      if (presented.rotatedAt !== undefined && now - presented.rotatedAt > settings.refreshGraceSeconds * 1000) {
        const revoked = await this.deleter.delete(ref);
        if (revoked) onRevoked?.(revoked, now);
        metrics.event(
          { event: 'refresh_token_reused', level: 'warn', reason: 'refresh_token_reused', user: fingerprint(ref.userId), session: ref.sessionId, rotatedAgoMs: now - presented.rotatedAt },
          'RefreshTokenReuse',
        );
        throw new RefreshTokenReusedError(`a rotated refresh token was presented again; session ${ref.sessionId} is revoked`, ref);
      }
      const session = toSession(item);
      // The current token as read; a token still marked current but no longer the session's means
      // a rotation is committing right now: read again.
      if (presented.rotatedAt === undefined && presented.hash !== session.refreshTokenHash) return RETRY;
      const nextToken = newRefreshToken();
      const nextHash = hashRefreshToken(nextToken);
      const retired = [session.refreshTokenHash, ...retiredOf(item)];
      const kept = retired.slice(0, RETIRED_KEPT);
      const dropped = retired.slice(RETIRED_KEPT);
      const set = { ...extendedBy(this.context, session, now), refreshTokenHash: nextHash, retiredHashes: kept };
      const renewed = { ...session, expiresAt: set.expiresAt };
      const writes: TransactItem[] = [
        { Put: { TableName: tableName, Item: refreshItem(nextHash, renewed), ConditionExpression: 'attribute_not_exists(PK)' } },
        {
          Update: {
            TableName: tableName,
            Key: refreshTokenKey(session.refreshTokenHash),
            UpdateExpression: 'SET rotatedAt = :now',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeValues: { ':now': now },
          },
        },
        ...dropped.map((hash): TransactItem => ({ Delete: { TableName: tableName, Key: refreshTokenKey(hash) } })),
      ];
      const next = await applyChange(this.context, item, { set, use: true, with: writes });
      return next === RETRY ? RETRY : { session: next, refreshToken: nextToken };
    });
  }
}
