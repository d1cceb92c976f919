import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { typeCheck } from '../helpers/tsc';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'examples', 'cdktf');
const ENVIRONMENTS = ['dev', 'staging', 'prod'];

interface StackJson {
  module: { websocket_sessions: Record<string, unknown> & { source: string; artifacts_dir: string } };
  provider: { aws: Array<{ region: string }> };
  output: Record<string, { value: string }>;
}

let outdir: string;
const stackDir = (environment: string) => path.join(outdir, 'stacks', `websocket-sessions-${environment}`);
const stack = (environment: string): StackJson => JSON.parse(readFileSync(path.join(stackDir(environment), 'cdk.tf.json'), 'utf8')) as StackJson;

beforeAll(() => {
  // The example's own dependencies (cdktf and constructs; cdktf-cli is for people running `cdktf synth`), from its lockfile.
  if (!existsSync(path.join(EXAMPLE, 'node_modules', 'cdktf', 'package.json'))) {
    execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: EXAMPLE, stdio: 'pipe' });
  }
  outdir = mkdtempSync(path.join(os.tmpdir(), 'cdktf-out-'));
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'main.ts'], {
    cwd: EXAMPLE,
    // The defaults: this repository as the module, its dist/ as the artifacts, local state.
    env: { ...process.env, CDKTF_OUTDIR: outdir, MODULE_SOURCE: '', ARTIFACTS_DIR: '', TF_STATE_BUCKET: '' },
    stdio: 'pipe',
  });
}, 600_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the CDKTF example', () => {
  it('type-checks against cdktf 0.21', () => {
    expect(typeCheck(path.join(EXAMPLE, 'tsconfig.json'))).toEqual({ status: 0, output: '' });
    expect(JSON.parse(readFileSync(path.join(EXAMPLE, 'node_modules', 'cdktf', 'package.json'), 'utf8')).version).toMatch(/^0\.21\./);
  });

  it('synthesizes one stack per environment over this module and the same artifacts', () => {
    expect(readdirSync(path.join(outdir, 'stacks')).sort()).toEqual(ENVIRONMENTS.map((environment) => `websocket-sessions-${environment}`).sort());
    const modules = ENVIRONMENTS.map((environment) => stack(environment).module.websocket_sessions);
    for (const [index, environment] of ENVIRONMENTS.entries()) {
      const module = modules[index]!;
      expect(module.stage_name).toBe(environment);
      expect(path.resolve(stackDir(environment), module.source)).toBe(ROOT);
      expect(path.resolve(stackDir(environment), module.artifacts_dir)).toBe(path.join(ROOT, 'dist'));
      expect(Object.keys(stack(environment).output).sort()).toEqual(['fanout_queue_url', 'publisher_policy_arn', 'websocket_url']);
    }
    expect(modules.map((module) => module.deletion_protection_enabled)).toEqual([false, false, true]);
  });

  it.each(ENVIRONMENTS)('writes a %s stack that terraform validate accepts', (environment) => {
    const validate = spawnSync(
      'bash',
      ['-c', `source "${ROOT}/scripts/terraform-cli-config.sh" >/dev/null && terraform init -backend=false -input=false -no-color >/dev/null && terraform validate -no-color`],
      { cwd: stackDir(environment), encoding: 'utf8', env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' } },
    );
    expect({ status: validate.status, stderr: validate.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    expect(validate.stdout).toContain('Success! The configuration is valid.');
  }, 300_000);
});
