/** The connect function's settings (read at init by connect.ts; listed in dist/manifest.json by the build). */
import { integer } from '../packages/contract/src/settings';
import { AUTH_MODE, COMMON, CONNECTION_TTL_SECONDS, MAX_CONNECTIONS_PER_USER } from './settings/shared';

export const AUTH_DEADLINE_SECONDS = /* @__PURE__ */ integer({
  name: 'AUTH_DEADLINE_SECONDS',
  default: 30,
  min: 1,
  max: 300,
  description: 'how long a two-phase connection has to send its `auth` frame',
  terraform: { source: '`auth_deadline_seconds`', variable: 'auth_deadline_seconds', modes: ['two-phase'] },
});
export const HANDSHAKES_PER_IP = /* @__PURE__ */ integer({
  name: 'HANDSHAKES_PER_IP',
  default: 0,
  min: 0,
  max: 1_000_000,
  description: 'handshakes one source IP may make per window (0: off)',
  terraform: { source: '`handshake_rate_limit.handshakes`', variable: 'handshake_rate_limit.handshakes' },
});
export const HANDSHAKE_WINDOW_SECONDS = /* @__PURE__ */ integer({
  name: 'HANDSHAKE_WINDOW_SECONDS',
  default: 60,
  min: 1,
  max: 3600,
  description: 'the window `HANDSHAKES_PER_IP` counts over',
  terraform: { source: '`handshake_rate_limit.window_seconds`', variable: 'handshake_rate_limit.window_seconds' },
});

export const settings = [...COMMON, AUTH_MODE, CONNECTION_TTL_SECONDS, MAX_CONNECTIONS_PER_USER, AUTH_DEADLINE_SECONDS, HANDSHAKES_PER_IP, HANDSHAKE_WINDOW_SECONDS];
