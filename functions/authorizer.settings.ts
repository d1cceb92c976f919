/** The authorizer's settings (read at init by authorizer.ts; listed in dist/manifest.json by the build). */
import { boolean, inModes, list } from '../packages/contract/src/settings';
import { AUTH_MODE, COMMON, JWT } from './settings/shared';

export const ALLOWED_ORIGINS = /* @__PURE__ */ list({
  name: 'ALLOWED_ORIGINS',
  description: 'the browser origins allowed to connect, comma-separated (empty: none; `*`: any)',
  terraform: { source: '`allowed_origins` joined with `,`', variable: 'allowed_origins' },
});
export const ALLOW_MISSING_ORIGIN = /* @__PURE__ */ boolean({
  name: 'ALLOW_MISSING_ORIGIN',
  default: true,
  description: 'whether a handshake without an Origin header (not a browser) is allowed',
  terraform: { source: '`"true"` / `"false"` from `allow_missing_origin`', variable: 'allow_missing_origin' },
});

export const settings = [...COMMON, AUTH_MODE, ALLOWED_ORIGINS, ALLOW_MISSING_ORIGIN, .../* @__PURE__ */ inModes(['jwt'], JWT)];
