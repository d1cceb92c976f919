import type { Identity } from './auth/identity';
import type { Connection } from './store';
import { missingRoles, type Permissions } from './permissions';
import { errorFrame, parseClientFrame, type ClientFrame, type ServerFrame } from './protocol';

/** What an action handler knows about the request it serves. */
export interface ActionContext {
  connectionId: string;
  /** Absent for a two-phase connection that has not authenticated yet. */
  identity?: Identity;
  /** Request time, epoch milliseconds. */
  now: number;
  /** When API Gateway accepted the connection, epoch milliseconds. */
  connectedAt?: number;
  /** A two-phase connection still waiting for `auth`: only the actions in PENDING_ACTIONS run. */
  pendingAuth?: boolean;
  /** The connection's stored item (read at most once per request). */
  connection?: () => Promise<Connection | undefined>;
  /** Posts a frame now, ahead of what the handler returns (e.g. `resumed` before a replay that is queued). */
  post?: (frame: ServerFrame) => Promise<void>;
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
  reason?: 'bad_message' | 'forbidden' | 'unauthenticated';
  rejected?: string;
}

/**
 * Routes a MESSAGE body to its action handler. Bad input is answered with a `BAD_MESSAGE` frame, an
 * action the identity's roles do not allow with `FORBIDDEN`; nothing else happens and the connection
 * stays open.
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
  const missing = missingRoles(permissions, frame.action, context.identity);
  if (missing) {
    const message = `action "${frame.action}" needs one of the roles: ${missing.join(', ')}`;
    return { frames: [errorFrame({ code: 'FORBIDDEN', message, id: frame.id })], action: frame.action, reason: 'forbidden', rejected: message };
  }
  return { frames: await handler(frame, context), action: frame.action };
}
