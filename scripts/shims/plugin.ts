/**
 * An esbuild plugin that gives `jsonwebtoken` the small `semver` of ./semver.ts instead of the package
 * (29 KB of each bundle that verifies JWTs, for three checks of the Node version). Only imports from
 * jsonwebtoken's own files are redirected; any other importer of `semver` gets the real one.
 */
import path from 'node:path';
import type { Plugin } from 'esbuild';

const JSONWEBTOKEN = `${path.sep}node_modules${path.sep}jsonwebtoken${path.sep}`;

export const semverShimPlugin: Plugin = {
  name: 'semver-shim',
  setup(build) {
    build.onResolve({ filter: /^semver$/ }, (args) => (args.importer.includes(JSONWEBTOKEN) ? { path: path.join(__dirname, 'semver.ts') } : undefined));
  },
};

const SESSIONS_SRC = `${path.sep}packages${path.sep}sessions${path.sep}src${path.sep}`;

/**
 * An esbuild plugin that leaves the user sessions' Redis cache (and so `ioredis`) out of a bundle whose
 * function reads sessions from DynamoDB only: its import from the session service resolves to
 * ./no-redis.ts, which refuses `SESSION_CACHE=redis` at init with a ConfigError.
 */
export const noRedisPlugin: Plugin = {
  name: 'no-redis',
  setup(build) {
    build.onResolve({ filter: /^\.\/cache\/redis$/ }, (args) => (args.importer.includes(SESSIONS_SRC) ? { path: path.join(__dirname, 'no-redis.ts') } : undefined));
  },
};
