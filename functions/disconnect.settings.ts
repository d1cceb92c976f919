/** The disconnect function's settings (read at init by disconnect.ts; listed in dist/manifest.json by the build). */
import { COMMON, SESSION_EXPIRY, SESSION_RESUME_WINDOW_SECONDS } from './settings/shared';

export const settings = [...COMMON, SESSION_RESUME_WINDOW_SECONDS, ...SESSION_EXPIRY];
