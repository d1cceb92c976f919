import type { Identity } from '../../../packages/contract/src/identity';
import type { Connection } from '../store/connection-store';
import { missingRoles, type Permissions } from '../auth/permissions';
import { SIGNED_IN_ACTIONS, errorFrame, fieldProblem, parseClientFrame, type ClientFrame, type ErrorFrame, type RequestId, type ServerFrame } from '../../../packages/contract/src/frames';

/** What an action handler knows about the request it serves. */
export interface ActionContext {
  connectionId: string;
  /** Absent for a two-phase connection that has not authenticated yet. */
  identity?: Identity;
  /** Request time, epoch milliseconds. */
  now: number;
  /** API Gateway's id of this request (`requestContext.requestId`): an `INTERNAL` frame and its log line carry it. */
  requestId?: string;
  /** When API Gateway accepted the connection, epoch milliseconds. */
  connectedAt?: number;
  /** A two-phase connection still waiting for `auth`: only the actions in PENDING_ACTIONS run. */
  pendingAuth?: boolean;
  /** The connection's token expired (past its grace): only `auth` runs; anything else is answered `AUTH_EXPIRED`. */
  authExpired?: boolean;
  /** The connection's stored item (read at most once per request). */
  connection?: () => Promise<Connection | undefined>;
  /** Posts a frame now, ahead of what the handler returns (e.g. `resumed` before a replay that is queued). */
  post?: (frame: ServerFrame) => Promise<void>;
  /** Closes the connection (post the frame that says why first). */
  close?: () => Promise<void>;
}

/** What a two-phase connection may do before it has authenticated. */
export const PENDING_ACTIONS: ReadonlySet<string> = new Set(['auth', 'ping']);

/** An action handler returns the frames to post back to the calling connection. */
export type ActionHandler = (frame: ClientFrame, context: ActionContext) => Promise<ServerFrame[]> | ServerFrame[];

export const builtinActions: Record<string, ActionHandler> = {
  ping: (frame, { now }) => [frame.id === undefined ? { type: 'pong', ts: now } : { type: 'pong', id: frame.id, ts: now }],
};

/** The frames to post back; a rejected frame also carries the reason code and what was wrong. */
export interface RouteResult {
  frames: ServerFrame[];
  action?: string;
  /** `auth_expired`: the caller closes the connection after posting the frames. */
  reason?: 'bad_message' | 'forbidden' | 'unauthenticated' | 'internal' | 'auth_expired';
  rejected?: string;
  /** `internal`: what the action threw (the caller logs it with its stack). */
  error?: unknown;
}

/**
 * The answer to a request the server failed to serve: `INTERNAL`, retryable, with API Gateway's
 * request id, which the error's log line carries too.
 *
 * @example
 * internalError({ id: frame.id, requestId: event.requestContext.requestId });
 */
export function internalError({ id, requestId }: { id?: RequestId; requestId?: string }): ErrorFrame {
  const message = requestId === undefined ? 'the server failed to serve this request; retry it' : `the server failed to serve this request; retry it (request ${requestId})`;
  return errorFrame({ code: 'INTERNAL', message, retryable: true, id, ...(requestId === undefined ? {} : { requestId }) });
}

/**
 * Routes a MESSAGE body to its action handler. Bad input is answered with a `BAD_MESSAGE` frame, an
 * action the identity's roles do not allow with `FORBIDDEN`; nothing else happens and the connection
 * stays open. A handler that throws is answered with `INTERNAL` (the error is returned for the log),
 * never passed on.
 *
 * @example
 * const frames = await route('{"action":"ping"}', { connectionId, now: Date.now() });
 */
export async function route(
  body: string | null | undefined,
  context: ActionContext,
  actions: Record<string, ActionHandler> = builtinActions,
  permissions: Permissions = new Map(),
): Promise<RouteResult> {
  const parsed = parseClientFrame(body);
  // A refresh is the one thing an expired connection may still do; anything else ends it.
  if (context.authExpired && !(parsed.ok && parsed.frame.action === 'auth')) {
    const message = 'the token expired: refresh it with {"action":"auth","token":…} before it does';
    const id = parsed.ok ? parsed.frame.id : undefined;
    return { frames: [errorFrame({ code: 'AUTH_EXPIRED', message, id })], action: parsed.ok ? parsed.frame.action : undefined, reason: 'auth_expired', rejected: message };
  }
  if (!parsed.ok) return { frames: [parsed.error], reason: 'bad_message', rejected: parsed.error.message };
  const { frame } = parsed;
  // Before the action lookup: a connection that has not authenticated learns nothing about the actions.
  if (context.pendingAuth && !PENDING_ACTIONS.has(frame.action)) {
    const message = 'authenticate first: send {"action":"auth","token":…}';
    return { frames: [errorFrame({ code: 'AUTH_INVALID', message, id: frame.id })], action: frame.action, reason: 'unauthenticated', rejected: message };
  }
  const handler = Object.hasOwn(actions, frame.action) ? actions[frame.action] : undefined;
  if (!handler) {
    const message = `unknown action "${frame.action}"`;
    return { frames: [errorFrame({ code: 'BAD_MESSAGE', message, id: frame.id })], action: frame.action, reason: 'bad_message', rejected: message };
  }
  if (SIGNED_IN_ACTIONS.has(frame.action) && context.identity?.authMode === 'anonymous') {
    const message = `action "${frame.action}" is for a signed-in connection, not a guest`;
    return { frames: [errorFrame({ code: 'FORBIDDEN', message, id: frame.id })], action: frame.action, reason: 'forbidden', rejected: message };
  }
  const missing = missingRoles(permissions, frame.action, context.identity);
  if (missing) {
    const message = `action "${frame.action}" needs one of the roles: ${missing.join(', ')}`;
    return { frames: [errorFrame({ code: 'FORBIDDEN', message, id: frame.id })], action: frame.action, reason: 'forbidden', rejected: message };
  }
  const problem = fieldProblem(frame);
  if (problem) {
    return { frames: [errorFrame({ code: 'BAD_MESSAGE', message: problem, id: frame.id })], action: frame.action, reason: 'bad_message', rejected: problem };
  }
  try {
    return { frames: await handler(frame, context), action: frame.action };
  } catch (error) {
    return { frames: [internalError({ id: frame.id, requestId: context.requestId })], action: frame.action, reason: 'internal', error };
  }
}
