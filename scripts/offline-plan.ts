/**
 * Plans a root module against the real aws provider without an AWS account: the directory's .tf
 * files are copied to a temporary directory, its relative module sources pointed at this repository,
 * and a provider override with placeholder credentials added (no AWS call: no state, no refresh, no
 * data source); then `terraform init`, `terraform plan -out` and `terraform show -json`. Unlike the
 * mocked provider of test/terraform, the real one leaves a created resource's ARN unknown until
 * apply, as a real plan does. Needs terraform and the built dist/*.zip.
 *
 * scripts/example-resources.ts plans the examples with it. Run as a script, it plans the root
 * module configurations of test/terraform/fixtures/real-provider and fails when the plan does
 * (scripts/terraform-test.sh runs it):
 *
 *   npx tsx scripts/offline-plan.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/** The configurations planned when run as a script. */
export const REAL_PROVIDER_FIXTURE = path.join(ROOT, 'test', 'terraform', 'fixtures', 'real-provider');

const OFFLINE_PROVIDER = `provider "aws" {
  region                      = var.region
  access_key                  = "offline"
  secret_key                  = "offline"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
`;

export interface PlanJson {
  resource_changes?: Array<{ address: string; mode: string; type: string; change: { actions: string[] } }>;
}

function run(command: string, cwd: string): string {
  const result = spawnSync('bash', ['-c', `source "${ROOT}/scripts/terraform-cli-config.sh" >/dev/null && ${command}`], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} failed in ${cwd}:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/**
 * Plans the root module in `source` (a directory whose provider "aws" block reads var.region) with
 * the given variables (-var values, HCL for lists and objects) and returns the plan as JSON.
 */
export function planOffline(source: string, variables: Record<string, string> = {}): PlanJson {
  const dir = mkdtempSync(path.join(tmpdir(), `plan-${path.basename(source)}-`));
  try {
    for (const file of readdirSync(source).filter((entry) => entry.endsWith('.tf'))) {
      const text = readFileSync(path.join(source, file), 'utf8').replace(/(\bsource\s*=\s*)"(\.\.?\/[^"]*)"/g, (_match, prefix: string, relative: string) => `${prefix}${JSON.stringify(path.resolve(source, relative))}`);
      writeFileSync(path.join(dir, file), text);
    }
    writeFileSync(path.join(dir, 'offline_override.tf'), OFFLINE_PROVIDER);
    const vars = Object.entries(variables)
      .map(([key, value]) => `-var '${key}=${value}'`)
      .join(' ');
    run('terraform init -backend=false -input=false -no-color >/dev/null', dir);
    run(`terraform plan -input=false -no-color -refresh=false -lock=false ${vars} -out=plan.bin >/dev/null`, dir);
    return JSON.parse(run('terraform show -json plan.bin', dir)) as PlanJson;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The number of resources the plan creates per module block of the root (module.<name>). */
export function createdPerModule(plan: PlanJson): Map<string, number> {
  const counts = new Map<string, number>();
  for (const change of plan.resource_changes ?? []) {
    const block = /^module\.([^.[]+)/.exec(change.address)?.[1];
    if (change.mode !== 'managed' || !change.change.actions.includes('create') || block === undefined) continue;
    counts.set(block, (counts.get(block) ?? 0) + 1);
  }
  return counts;
}

function main(): void {
  const blocks = [...readFileSync(path.join(REAL_PROVIDER_FIXTURE, 'main.tf'), 'utf8').matchAll(/^module "([^"]+)"/gm)].map((match) => match[1]!);
  let plan: PlanJson;
  try {
    plan = planOffline(REAL_PROVIDER_FIXTURE);
  } catch (error) {
    console.error(`offline-plan: ${path.relative(ROOT, REAL_PROVIDER_FIXTURE)} does not plan against the real provider:\n${(error as Error).message}`);
    process.exit(1);
  }
  const counts = createdPerModule(plan);
  const empty = blocks.filter((block) => !counts.has(block));
  for (const block of blocks) console.log(`module.${block}: ${counts.get(block) ?? 0} resources to create`);
  if (empty.length > 0) {
    console.error(`offline-plan: the plan creates nothing in ${empty.map((block) => `module.${block}`).join(', ')}`);
    process.exit(1);
  }
}

if (require.main === module) main();
