/** The sweeper's settings (read at init by sweeper.ts; listed in dist/manifest.json by the build). */
import { integer } from '../packages/contract/src/settings';
import { AUTH_EXPIRY_GRACE_SECONDS, COMMON, MANAGEMENT_ENDPOINT, SESSION_GOAWAY_BEFORE_SECONDS, SESSION_RESUME_WINDOW_SECONDS } from './settings/shared';

export const CONNECTION_MAX_SECONDS = /* @__PURE__ */ integer({
  name: 'CONNECTION_MAX_SECONDS',
  default: 7200,
  min: 10,
  max: 7200,
  description: "API Gateway's cut of a connection (2 hours); lower only to test the goaway and dead-connection sweeps",
});
export const SWEEP_PAGE_SIZE = /* @__PURE__ */ integer({ name: 'SWEEP_PAGE_SIZE', default: 100, min: 1, max: 1000, description: 'items one query of a sweep reads' });

export const settings = [...COMMON, MANAGEMENT_ENDPOINT, CONNECTION_MAX_SECONDS, SESSION_GOAWAY_BEFORE_SECONDS, SESSION_RESUME_WINDOW_SECONDS, SWEEP_PAGE_SIZE, AUTH_EXPIRY_GRACE_SECONDS];
