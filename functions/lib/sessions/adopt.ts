import { randomUUID } from 'node:crypto';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ClientFrame, VersionedState } from '../../../packages/contract/src/frames';
import type { Session } from '../../../packages/contract/src/session-item';
import { sessionKey } from '../../../packages/contract/src/table-keys';

/** How an `adopt` settles state both sessions hold: none named, keep one side's, or a merged state. */
export type Resolution =
  | { kind: 'none' }
  | { kind: 'keep'; keep: 'guest' | 'mine'; versions?: Versions }
  | { kind: 'merge'; state: unknown; versions: Versions };

/** The versions of both sessions a resolution was made against. */
export interface Versions {
  guest: number;
  mine: number;
}

const isVersion = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Reads an `adopt` frame's resolution: `keep` ("guest" or "mine"), or a merged `state` with the
 * `versions` it was merged from; both at once, a `state` without `versions` or malformed versions
 * are a `BAD_MESSAGE` (the message). The frame's field types were checked by the router already.
 *
 * @example
 * readResolution({ action: 'adopt', keep: 'guest' }); // { ok: true, resolution: { kind: 'keep', keep: 'guest' } }
 */
export function readResolution(frame: ClientFrame): { ok: true; resolution: Resolution } | { ok: false; message: string } {
  const { keep, state, versions: raw } = frame;
  if (keep !== undefined && state !== undefined) return { ok: false, message: 'name one resolution: "keep" or a merged "state", not both' };
  if (keep !== undefined && keep !== 'guest' && keep !== 'mine') return { ok: false, message: '"keep" must be "guest" or "mine"' };
  let versions: Versions | undefined;
  if (raw !== undefined) {
    const { guest, mine } = raw as Record<string, unknown>;
    if (!isVersion(guest) || !isVersion(mine)) return { ok: false, message: '"versions" must be {"guest": <version>, "mine": <version>} (whole numbers ≥ 0)' };
    versions = { guest, mine };
  }
  if (state !== undefined) {
    if (!versions) return { ok: false, message: 'a merged "state" needs the "versions" it was merged from' };
    return { ok: true, resolution: { kind: 'merge', state, versions } };
  }
  if (keep !== undefined) return { ok: true, resolution: { kind: 'keep', keep, ...(versions ? { versions } : {}) } };
  if (versions) return { ok: false, message: '"versions" go with a resolution ("keep" or a merged "state")' };
  return { ok: true, resolution: { kind: 'none' } };
}

/** What an adoption writes: the signed-in session's state (unchanged, or a new one), on the versions it was decided from. */
export type Adoption = { ok: true; state: { value: unknown } | undefined; expected: Versions } | { ok: false; guest: VersionedState; mine: VersionedState };

/**
 * Decides what the signed-in session's state becomes. With no resolution: the guest's state when
 * the signed-in session has none, its own when the guest has none, a conflict when both have one
 * (never a silent overwrite). A resolution's versions must be the sessions' current ones (else a
 * conflict: the caller resolved against states that moved).
 *
 * @example
 * decideAdoption({ guest, mine, resolution: { kind: 'keep', keep: 'guest' } }); // { ok: true, state: { value: guest.state }, … }
 */
export function decideAdoption({ guest, mine, resolution }: { guest: Session; mine: Session; resolution: Resolution }): Adoption {
  const conflict = { ok: false as const, guest: { state: guest.state, version: guest.version }, mine: { state: mine.state, version: mine.version } };
  const expected = { guest: guest.version, mine: mine.version };
  const named = resolution.kind === 'none' ? undefined : resolution.versions;
  if (named && (named.guest !== guest.version || named.mine !== mine.version)) return conflict;
  switch (resolution.kind) {
    case 'merge':
      return { ok: true, state: { value: resolution.state }, expected };
    case 'keep':
      return { ok: true, state: resolution.keep === 'guest' ? { value: guest.state } : undefined, expected };
    case 'none':
      if (guest.state === null) return { ok: true, state: undefined, expected };
      if (mine.state === null) return { ok: true, state: { value: guest.state }, expected };
      return conflict;
  }
}

/**
 * The adoption as one transaction: the guest session becomes `adopted` (unlinked from its connection,
 * out of the sweeper's expiring index) on the condition that it is still the live guest session of
 * `guestUserId` at `expected.guest`; the signed-in session gets the state (or is only checked) on
 * the condition that it is still this connection's at `expected.mine`. Either condition failing
 * cancels both. `ClientRequestToken` makes the SDK's retry of a lost answer a no-op, not a refusal.
 */
export function adoptSessionInput(
  tableName: string,
  {
    guest,
    guestUserId,
    mine,
    userId,
    connectionId,
    expected,
    state,
    nowSeconds,
  }: { guest: string; guestUserId: string; mine: string; userId: string; connectionId: string; expected: Versions; state: { value: unknown } | undefined; nowSeconds: number },
): TransactWriteCommandInput {
  const mineCondition = {
    TableName: tableName,
    Key: sessionKey(mine),
    ConditionExpression: 'userId = :user AND connectionId = :connection AND version = :expected AND #ttl > :now',
  };
  const mineValues = { ':user': userId, ':connection': connectionId, ':expected': expected.mine, ':now': nowSeconds };
  return {
    ClientRequestToken: randomUUID(),
    TransactItems: [
      {
        Update: {
          TableName: tableName,
          Key: sessionKey(guest),
          UpdateExpression: 'SET #status = :adopted, adoptedBy = :mine REMOVE connectionId, lastSeen, GSI3PK, GSI3SK',
          ConditionExpression: 'guest = :true AND userId = :guestUser AND version = :expected AND #ttl > :now AND NOT (#status IN (:adopted, :closed))',
          ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':adopted': 'adopted', ':closed': 'closed', ':mine': mine, ':true': true, ':guestUser': guestUserId, ':expected': expected.guest, ':now': nowSeconds },
        },
      },
      state === undefined
        ? { ConditionCheck: { ...mineCondition, ExpressionAttributeNames: { '#ttl': 'ttl' }, ExpressionAttributeValues: mineValues } }
        : {
            Update: {
              ...mineCondition,
              UpdateExpression: 'SET #state = :state, version = :next',
              ExpressionAttributeNames: { '#ttl': 'ttl', '#state': 'state' },
              ExpressionAttributeValues: { ...mineValues, ':state': JSON.stringify(state.value), ':next': expected.mine + 1 },
            },
          },
    ],
  };
}
