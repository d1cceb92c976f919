/**
 * The login API's settings (read at init by login-api.ts; listed in dist/manifest.json by the build):
 * the table and the fan-out queue (ended sessions' sockets are closed through it), and the user
 * sessions', login coordinator's and session cookie's own, declared in packages/sessions. Its Terraform is the example's main.tf, not the module's.
 */
import { FANOUT_QUEUE_URL } from '../../../functions/settings/shared';
import { string } from '../../../packages/contract/src/settings';
import { SESSION_COOKIE_SETTINGS } from '../../../packages/sessions/src/cookie/settings';
import { LOGIN_SETTINGS } from '../../../packages/sessions/src/login/settings';
import { settings as sessionSettings } from '../../../packages/sessions/src/settings';

export const TABLE_NAME = /* @__PURE__ */ string({ name: 'TABLE_NAME', required: true, description: "the stack's table", terraform: { source: "the module's `table_name`" } });

export { FANOUT_QUEUE_URL };

export const settings = [TABLE_NAME, FANOUT_QUEUE_URL, ...sessionSettings, ...LOGIN_SETTINGS, ...SESSION_COOKIE_SETTINGS];
