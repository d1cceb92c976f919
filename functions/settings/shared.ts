/**
 * Settings several functions read, declared once: each function's `<name>.settings.ts` lists the
 * ones it reads. Import has no side effects (the build and the sandbox import these declarations).
 */
import { AUTH_MODES } from '../../packages/contract/src/identity';
import { choice, integer, list, string } from '../../packages/contract/src/settings';

export const TABLE_NAME = /* @__PURE__ */ string({ name: 'TABLE_NAME', required: true, description: "the table's name", terraform: { source: "the table's name" } });
export const LOG_LEVEL = /* @__PURE__ */ choice({
  name: 'LOG_LEVEL',
  choices: ['debug', 'info', 'warn', 'error'] as const,
  default: 'info',
  description: 'the lowest level logged',
  terraform: { source: '`log_level`', variable: 'log_level' },
});
export const METRICS_NAMESPACE = /* @__PURE__ */ string({
  name: 'METRICS_NAMESPACE',
  default: 'WebSocketSessions',
  description: 'the CloudWatch namespace of the metrics',
  terraform: { source: '`metrics_namespace`', variable: 'metrics_namespace' },
});
export const AWS_REQUEST_TIMEOUT_MS = /* @__PURE__ */ integer({
  name: 'AWS_REQUEST_TIMEOUT_MS',
  default: 2000,
  min: 100,
  max: 5000,
  description:
    'how long one attempt of every AWS SDK call may take (DynamoDB, SQS, the Management API, Scheduler, SSM, Secrets Manager), with a 1000 ms connection timeout (never more than the request timeout); a timed-out attempt fails and the SDK retries it; keep `lambda_timeout` above 4 × this',
});
/** The settings every function reads. */
export const COMMON = [TABLE_NAME, LOG_LEVEL, METRICS_NAMESPACE, AWS_REQUEST_TIMEOUT_MS];

export const AUTH_MODE = /* @__PURE__ */ choice({ name: 'AUTH_MODE', choices: AUTH_MODES, description: 'how connections authenticate', terraform: { source: '`auth_mode`', variable: 'auth_mode' } });
export const AUTH_EXPIRY_GRACE_SECONDS = /* @__PURE__ */ integer({
  name: 'AUTH_EXPIRY_GRACE_SECONDS',
  default: 30,
  min: 0,
  max: 300,
  description: "how long past its token's `exp` a connection that did not refresh it goes on before it is closed with `AUTH_EXPIRED`",
  terraform: { source: '`auth_expiry_grace_seconds`', variable: 'auth_expiry_grace_seconds', modes: ['jwt', 'two-phase'] },
});
export const CONNECTION_TTL_SECONDS = /* @__PURE__ */ integer({
  name: 'CONNECTION_TTL_SECONDS',
  default: 7800,
  min: 60,
  max: 7 * 86_400,
  description: "a connection item's lifetime; a subscription gets the same, and an `auth` frame renews it",
  terraform: { source: '`7200 + connection_ttl_grace_seconds`' },
});
export const MAX_CONNECTIONS_PER_USER = /* @__PURE__ */ integer({
  name: 'MAX_CONNECTIONS_PER_USER',
  default: 10,
  min: 0,
  max: 10_000,
  description: 'open connections per user (0 turns the cap and its counter off); a two-phase connection counts when it authenticates',
  terraform: { source: '`max_connections_per_user`', variable: 'max_connections_per_user' },
});
export const MANAGEMENT_ENDPOINT = /* @__PURE__ */ string({
  name: 'MANAGEMENT_ENDPOINT',
  required: true,
  description: "the Management API's endpoint: `management_endpoint_override` when set, otherwise the stage's (no API event reaches the function to derive it from)",
  terraform: { source: '`management_endpoint_override` when set, otherwise the stage\'s endpoint (the `management_endpoint` output)' },
});
export const FANOUT_QUEUE_URL = /* @__PURE__ */ string({ name: 'FANOUT_QUEUE_URL', required: true, description: 'the FIFO fan-out queue', terraform: { source: 'the FIFO queue `<name>-fanout.fifo` (`fanout_queue_url`)' } });

export const CHANNEL_LOG_RETENTION_SECONDS = /* @__PURE__ */ integer({
  name: 'CHANNEL_LOG_RETENTION_SECONDS',
  default: 3600,
  min: 60,
  max: 1_209_600,
  description: "how long a channel's log keeps a message",
  terraform: { source: '`channel_log_retention_seconds`', variable: 'channel_log_retention_seconds' },
});
export const DELIVERY_LEDGER_TTL_SECONDS = /* @__PURE__ */ integer({
  name: 'DELIVERY_LEDGER_TTL_SECONDS',
  default: 345_600,
  min: 60,
  max: 1_209_600,
  description: 'how long message ids and delivery ledgers are remembered: a record redelivered at the very end of the queue\'s retention still finds its ledger',
  terraform: { source: "the queue's retention, `fanout.message_retention_seconds`", variable: 'fanout.message_retention_seconds' },
});
export const MAX_PAYLOAD_BYTES = /* @__PURE__ */ integer({
  name: 'MAX_PAYLOAD_BYTES',
  default: 32_768,
  min: 1,
  max: 120_000,
  description: "a message's serialized `data`, bytes",
  terraform: { source: '`max_payload_bytes`', variable: 'max_payload_bytes' },
});

export const SESSION_RESUME_WINDOW_SECONDS = /* @__PURE__ */ integer({
  name: 'SESSION_RESUME_WINDOW_SECONDS',
  default: 120,
  min: 1,
  max: 86_400,
  description: 'how long a session can be resumed after its connection closed (each function that finds a connection gone detaches its session)',
  terraform: { source: '`session.resume_window_seconds`', variable: 'session.resume_window_seconds' },
});
export const SESSION_GOAWAY_BEFORE_SECONDS = /* @__PURE__ */ integer({
  name: 'SESSION_GOAWAY_BEFORE_SECONDS',
  default: 300,
  min: 1,
  max: 3600,
  description: "how long before API Gateway's 2-hour cut the sweeper tells a connection to go away (resume on a new one)",
  terraform: { source: '`session.goaway_before_seconds`', variable: 'session.goaway_before_seconds' },
});
export const SESSION_SCHEDULE_GROUP = /* @__PURE__ */ string({ name: 'SESSION_SCHEDULE_GROUP', description: 'the schedule group the session expiry schedules go in', terraform: { source: 'the schedule group `<name>` (`schedule_group_name`)' } });
export const SESSION_SCHEDULER_ROLE_ARN = /* @__PURE__ */ string({ name: 'SESSION_SCHEDULER_ROLE_ARN', description: "the `RoleArn` of the expiry schedules' target", terraform: { source: "the scheduler's execution role (`scheduler_role_arn`)" } });
export const SESSION_EXPIRY_TARGET_ARN = /* @__PURE__ */ string({
  name: 'SESSION_EXPIRY_TARGET_ARN',
  description: "the expiry schedules' target, the sweeper",
  terraform: { source: "the sweeper's ARN, `arn:<partition>:lambda:<region>:<account>:function:<name>-sweeper`" },
});
/** What scheduling a session's expiry needs (all three, or none: no punctual expiry). */
export const SESSION_EXPIRY = [SESSION_SCHEDULE_GROUP, SESSION_SCHEDULER_ROLE_ARN, SESSION_EXPIRY_TARGET_ARN];

const jwt = (variable: string, extra: Partial<{ when: string }> = {}) => ({ source: `\`jwt.${variable}\``, variable: `jwt.${variable}`, ...extra });
export const JWT_ALGORITHMS = /* @__PURE__ */ list({ name: 'JWT_ALGORITHMS', required: true, description: 'the accepted algorithms, comma-separated', terraform: /* @__PURE__ */ jwt('algorithms') });
export const JWT_ISSUER = /* @__PURE__ */ string({ name: 'JWT_ISSUER', description: 'the required `iss`', terraform: /* @__PURE__ */ jwt('issuer', { when: 'jwt.issuer is set' }) });
export const JWT_AUDIENCE = /* @__PURE__ */ list({ name: 'JWT_AUDIENCE', description: 'the accepted `aud` values, comma-separated', terraform: /* @__PURE__ */ jwt('audience', { when: 'jwt.audience is not empty' }) });
export const JWT_CLOCK_TOLERANCE_SECONDS = /* @__PURE__ */ integer({ name: 'JWT_CLOCK_TOLERANCE_SECONDS', default: 5, min: 0, max: 300, description: 'leeway on `exp`, `nbf` and `iat`', terraform: /* @__PURE__ */ jwt('clock_tolerance_seconds') });
export const JWT_MAX_LIFETIME_SECONDS = /* @__PURE__ */ integer({ name: 'JWT_MAX_LIFETIME_SECONDS', default: 86_400, min: 60, max: 604_800, description: 'the longest `exp - iat` accepted', terraform: /* @__PURE__ */ jwt('max_lifetime_seconds') });
export const JWT_MAX_AGE_SECONDS = /* @__PURE__ */ integer({ name: 'JWT_MAX_AGE_SECONDS', min: 1, max: 604_800, optional: true, description: 'the oldest `iat` accepted; unset: no limit', terraform: /* @__PURE__ */ jwt('max_age_seconds', { when: 'jwt.max_age_seconds is set' }) });
export const JWT_MAX_TOKEN_LENGTH = /* @__PURE__ */ integer({ name: 'JWT_MAX_TOKEN_LENGTH', default: 8192, min: 256, max: 16_384, description: 'the longest token read, characters' });
export const JWT_TYP = /* @__PURE__ */ string({ name: 'JWT_TYP', description: 'the required `typ` header; unset: any' });
export const JWT_JWKS_URL = /* @__PURE__ */ string({ name: 'JWT_JWKS_URL', description: 'the JWKS the keys come from', terraform: /* @__PURE__ */ jwt('jwks_url', { when: 'jwt.jwks_url is set' }) });
export const JWT_JWKS_REFRESH_SECONDS = /* @__PURE__ */ integer({ name: 'JWT_JWKS_REFRESH_SECONDS', default: 300, min: 10, max: 86_400, description: 'how often the JWKS is fetched again' });
export const JWT_KEY_SSM_PARAMETER = /* @__PURE__ */ string({ name: 'JWT_KEY_SSM_PARAMETER', description: 'the SSM parameter holding a static key', terraform: /* @__PURE__ */ jwt('key_ssm_parameter_arn', { when: 'jwt.key_ssm_parameter_arn is set, or jwt sets no key source and the access-token key is a parameter (access_token_key)' }) });
export const JWT_KEY_SECRET_ARN = /* @__PURE__ */ string({ name: 'JWT_KEY_SECRET_ARN', description: 'the secret holding a static key', terraform: /* @__PURE__ */ jwt('key_secret_arn', { when: 'jwt.key_secret_arn is set, or jwt sets no key source and access_token_key.secret_arn is set' }) });
export const JWT_KEY_ID = /* @__PURE__ */ string({ name: 'JWT_KEY_ID', description: "the static key's `kid`", terraform: /* @__PURE__ */ jwt('key_id', { when: 'jwt.key_id is set' }) });
export const JWT_TOKEN_SOURCES = /* @__PURE__ */ list({ name: 'JWT_TOKEN_SOURCES', description: 'where the token travels: subprotocol, cookie, query (default subprotocol)', terraform: /* @__PURE__ */ jwt('token_sources') });
export const JWT_COOKIE_NAME = /* @__PURE__ */ string({ name: 'JWT_COOKIE_NAME', default: 'ws_token', description: "the token cookie's name", terraform: /* @__PURE__ */ jwt('cookie_name') });
export const JWT_QUERY_PARAMETER = /* @__PURE__ */ string({ name: 'JWT_QUERY_PARAMETER', default: 'token', description: "the token's query parameter", terraform: /* @__PURE__ */ jwt('query_parameter') });
export const JWT_USER_ID_CLAIM = /* @__PURE__ */ string({ name: 'JWT_USER_ID_CLAIM', default: 'sub', description: "the claim holding the user's id", terraform: /* @__PURE__ */ jwt('claims.user_id') });
export const JWT_TENANT_ID_CLAIM = /* @__PURE__ */ string({ name: 'JWT_TENANT_ID_CLAIM', default: 'tenant_id', description: "the claim holding the tenant's id", terraform: /* @__PURE__ */ jwt('claims.tenant_id') });
export const JWT_ROLES_CLAIM = /* @__PURE__ */ string({ name: 'JWT_ROLES_CLAIM', default: 'roles', description: 'the claim holding the roles', terraform: /* @__PURE__ */ jwt('claims.roles') });
export const JWT_SESSION_ID_CLAIM = /* @__PURE__ */ string({ name: 'JWT_SESSION_ID_CLAIM', default: 'sid', description: "the claim holding the session's id", terraform: /* @__PURE__ */ jwt('claims.session_id') });
/** What verifying tokens reads (functions/lib/auth/jwt*.ts). */
export const JWT = [
  JWT_ALGORITHMS,
  JWT_ISSUER,
  JWT_AUDIENCE,
  JWT_CLOCK_TOLERANCE_SECONDS,
  JWT_MAX_LIFETIME_SECONDS,
  JWT_MAX_AGE_SECONDS,
  JWT_MAX_TOKEN_LENGTH,
  JWT_TYP,
  JWT_JWKS_URL,
  JWT_JWKS_REFRESH_SECONDS,
  JWT_KEY_SSM_PARAMETER,
  JWT_KEY_SECRET_ARN,
  JWT_KEY_ID,
  JWT_TOKEN_SOURCES,
  JWT_COOKIE_NAME,
  JWT_QUERY_PARAMETER,
  JWT_USER_ID_CLAIM,
  JWT_TENANT_ID_CLAIM,
  JWT_ROLES_CLAIM,
  JWT_SESSION_ID_CLAIM,
];
