/** The message function's settings (read at init by message.ts; listed in dist/manifest.json by the build). */
import { choice, inModes, integer, json, string } from '../packages/contract/src/settings';
import {
  AUTH_EXPIRY_GRACE_SECONDS,
  AUTH_MODE,
  COMMON,
  CONNECTION_TTL_SECONDS,
  FANOUT_QUEUE_URL,
  JWT,
  MAX_CONNECTIONS_PER_USER,
  MAX_PAYLOAD_BYTES,
  SESSION_EXPIRY,
  SESSION_RESUME_WINDOW_SECONDS,
} from './settings/shared';

/** Unlike the sweeper's and the fanout function's, optional: unset, the endpoint comes from each event. */
export const MANAGEMENT_ENDPOINT = /* @__PURE__ */ string({
  name: 'MANAGEMENT_ENDPOINT',
  description: "the Management API's endpoint; unset, the function derives `https://{domainName}/{stage}` from each event",
  terraform: { source: '`management_endpoint_override`', variable: 'management_endpoint_override', when: 'management_endpoint_override is set' },
});
export const ACTION_PERMISSIONS = /* @__PURE__ */ json({
  name: 'ACTION_PERMISSIONS',
  description: 'the roles each action needs, a JSON object such as `{"broadcast":["admin"]}`',
  terraform: { source: '`jsonencode(action_permissions)`', variable: 'action_permissions', when: 'action_permissions is not empty' },
});
export const MESSAGE_RATE_LIMIT = /* @__PURE__ */ integer({
  name: 'MESSAGE_RATE_LIMIT',
  default: 100,
  min: 0,
  max: 100_000,
  description: 'messages one connection may send per window (0: off)',
  terraform: { source: '`message_rate_limit.messages`', variable: 'message_rate_limit.messages' },
});
export const MESSAGE_RATE_WINDOW_SECONDS = /* @__PURE__ */ integer({
  name: 'MESSAGE_RATE_WINDOW_SECONDS',
  default: 10,
  min: 1,
  max: 3_600,
  description: 'the window `MESSAGE_RATE_LIMIT` counts over',
  terraform: { source: '`message_rate_limit.window_seconds`', variable: 'message_rate_limit.window_seconds' },
});
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = /* @__PURE__ */ integer({
  name: 'MAX_SUBSCRIPTIONS_PER_CONNECTION',
  default: 50,
  min: 0,
  max: 1000,
  description: 'channels one connection may subscribe to',
  terraform: { source: '`max_subscriptions_per_connection`', variable: 'max_subscriptions_per_connection' },
});
export const REPLAY_MAX_MESSAGES = /* @__PURE__ */ integer({
  name: 'REPLAY_MAX_MESSAGES',
  default: 1000,
  min: 1,
  max: 10_000,
  description: 'log entries one `subscribe` or `resume` may replay (over all its channels); a `RESUME_GAP` names the rest',
});
export const SESSION_HEARTBEAT_SECONDS = /* @__PURE__ */ integer({
  name: 'SESSION_HEARTBEAT_SECONDS',
  default: 60,
  min: 10,
  max: 540,
  description: 'how often a client sends a heartbeat (told in the `session` frame)',
  terraform: { source: '`session.heartbeat_seconds`', variable: 'session.heartbeat_seconds' },
});
export const SESSION_RESUME = /* @__PURE__ */ choice({
  name: 'SESSION_RESUME',
  choices: ['token', 'id'] as const,
  default: 'token',
  description: 'what a resume needs besides being the same user: the resume token (`token`) or nothing more (`id`)',
  terraform: { source: '`session.resume`', variable: 'session.resume' },
});
export const SESSION_MAX_STATE_BYTES = /* @__PURE__ */ integer({ name: 'SESSION_MAX_STATE_BYTES', default: 16_384, min: 1, max: 100_000, description: "a session's state, bytes" });
export const SESSION_KEY = /* @__PURE__ */ string({ name: 'SESSION_KEY', description: 'the resume-token key itself (the sandbox); at least 32 characters' });
export const SESSION_KEY_SSM_PARAMETER = /* @__PURE__ */ string({
  name: 'SESSION_KEY_SSM_PARAMETER',
  description: "the resume-token key's SecureString parameter",
  terraform: { source: 'the name `/<name>/session-resume-key` of the parameter the module creates, or `session.key_ssm_parameter_arn`', when: 'session.key_secret_arn is null' },
});
export const SESSION_KEY_SECRET_ARN = /* @__PURE__ */ string({
  name: 'SESSION_KEY_SECRET_ARN',
  description: "the resume-token key's secret",
  terraform: { source: '`session.key_secret_arn`', variable: 'session.key_secret_arn', when: 'session.key_secret_arn is set' },
});

export const settings = [
  ...COMMON,
  AUTH_MODE,
  MANAGEMENT_ENDPOINT,
  ACTION_PERMISSIONS,
  MESSAGE_RATE_LIMIT,
  MESSAGE_RATE_WINDOW_SECONDS,
  CONNECTION_TTL_SECONDS,
  AUTH_EXPIRY_GRACE_SECONDS,
  MAX_PAYLOAD_BYTES,
  FANOUT_QUEUE_URL,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  MAX_CONNECTIONS_PER_USER,
  ...SESSION_EXPIRY,
  SESSION_RESUME_WINDOW_SECONDS,
  REPLAY_MAX_MESSAGES,
  SESSION_HEARTBEAT_SECONDS,
  SESSION_RESUME,
  SESSION_MAX_STATE_BYTES,
  SESSION_KEY,
  SESSION_KEY_SSM_PARAMETER,
  SESSION_KEY_SECRET_ARN,
  .../* @__PURE__ */ inModes(['jwt', 'two-phase'], JWT),
];
