import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Runs the repository's TypeScript compiler on a project (a consumer of the built packages, an example
 * with its own dependencies) and returns its exit status and everything it printed.
 *
 * @example
 * expect(typeCheck(path.join(dir, 'tsconfig.json'))).toEqual({ status: 0, output: '' });
 */
export function typeCheck(tsconfig: string): { status: number | null; output: string } {
  const tsc = spawnSync(process.execPath, [path.resolve(__dirname, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], { encoding: 'utf8' });
  return { status: tsc.status, output: tsc.stdout + tsc.stderr };
}
