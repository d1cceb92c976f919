import { randomBytes, randomUUID } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LoginCoordinator, LoginEvent, createTotpFactor, totp, type LoginEvents, type LoginResult, type LoginSettings, type SessionCreateInput, type SessionCreator } from '../../packages/sessions/src/login';
import { documentClient } from './dynamo';

/** 2026-07-15T00:00:00Z, in epoch ms: a fixed start for the injected clock. */
export const LOGIN_T0_MS = 1_784_073_600_000;

/** The accounts the test credential check knows: a password each, and a TOTP secret for those with MFA. */
export interface TestAccount {
  userId: string;
  email: string;
  password: string;
  totpSecret?: Buffer;
}

export const account = (mfa: boolean): TestAccount => ({
  userId: `user-${randomUUID().slice(0, 8)}`,
  email: `${randomUUID().slice(0, 8)}@Example.com`,
  password: randomUUID(),
  ...(mfa ? { totpSecret: randomBytes(20) } : {}),
});

/**
 * Stands in for the session service, built in its own module: each create writes one item to the
 * table (`TESTSESSION#{userId}` / `{sessionId}`), so a test counts the sessions a race created there.
 */
export function tableSessionCreator(tableName: string): SessionCreator & { calls: SessionCreateInput[] } {
  const calls: SessionCreateInput[] = [];
  return {
    calls,
    async create(input) {
      calls.push(input);
      const sessionId = randomUUID();
      await documentClient().send(new PutCommand({ TableName: tableName, Item: { PK: `TESTSESSION#${input.userId}`, SK: sessionId, ...input } }));
      return { session: { sessionId, userId: input.userId, expiresAt: 0 }, refreshToken: randomUUID(), evicted: [] };
    },
  };
}

/** A `startLogin` result that must be `MFA_REQUIRED`. */
export function mfaStarted(result: LoginResult): Extract<LoginResult, { status: 'MFA_REQUIRED' }> {
  if (result.status !== 'MFA_REQUIRED') throw new Error(`expected MFA_REQUIRED, got ${result.status}`);
  return result;
}

/** Every event a coordinator emits, in order, as `[name, payload]`. */
export function recordEvents(coordinator: LoginCoordinator): Array<[keyof LoginEvents, unknown]> {
  const seen: Array<[keyof LoginEvents, unknown]> = [];
  for (const name of Object.values(LoginEvent)) coordinator.on(name, (payload: unknown) => seen.push([name, payload]));
  return seen;
}

/** A coordinator over a test table with the real TOTP factor, a credential check over `accounts`, a clock the test moves and a session service. */
export function loginHarness({
  tableName,
  accounts,
  settings = {},
  clock = { ms: LOGIN_T0_MS },
  service,
  client = documentClient(),
}: {
  tableName: string;
  accounts: TestAccount[];
  settings?: Partial<LoginSettings>;
  clock?: { ms: number };
  /** The session service the coordinator creates sessions with; default: `sessions`, the stand-in that writes one test item per session. */
  service?: SessionCreator;
  /** The flows' and the TOTP factor's client; default: straight to DynamoDB Local. */
  client?: DynamoDBDocumentClient;
}) {
  const sessions = tableSessionCreator(tableName);
  const credentialChecks: string[] = [];
  const byEmail = (email: string) => accounts.find((a) => a.email.toLowerCase() === email);
  const coordinator = new LoginCoordinator({
    client,
    tableName,
    sessions: service ?? sessions,
    settings,
    now: () => clock.ms,
    checkCredentials: async ({ email, password }) => {
      credentialChecks.push(email);
      const found = byEmail(email);
      return found && found.password === password ? { userId: found.userId, email: found.email, mfaRequired: found.totpSecret !== undefined } : undefined;
    },
    secondFactor: createTotpFactor({ client, tableName, secretFor: async (userId) => accounts.find((a) => a.userId === userId)?.totpSecret }),
  });
  const events = recordEvents(coordinator);
  /** The account's right TOTP code at the clock's time. */
  const codeFor = (a: TestAccount, offsetSteps = 0) => totp(a.totpSecret!, Math.floor(clock.ms / 1000) + offsetSteps * 30);
  return { clock, coordinator, sessions, events, credentialChecks, codeFor };
}
