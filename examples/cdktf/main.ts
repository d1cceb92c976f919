/**
 * The websocket-sessions Terraform module from a CDKTF app: one stack per environment, every stack
 * pointing at the same built artifacts, so dev, staging and prod deploy the identical zip hashes.
 * The module is consumed as HCL (TerraformHclModule): no provider bindings to generate, and the
 * synthesized stacks are plain Terraform JSON that `terraform validate` and `plan` take as they are.
 *
 *   npm ci && npx cdktf synth          # or: npx tsx main.ts
 *   cd cdktf.out/stacks/websocket-sessions-dev && terraform init && terraform plan
 */
import path from 'node:path';
import { App, S3Backend, TerraformHclModule, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

/** What changes between environments; everything else is the module's defaults. */
export interface Environment {
  region: string;
  stageName: string;
  allowedOrigins: string[];
  /** Production keeps its table through `terraform destroy`. */
  deletionProtection: boolean;
}

export const ENVIRONMENTS: Record<string, Environment> = {
  dev: { region: 'eu-west-1', stageName: 'dev', allowedOrigins: ['https://dev.app.example.com'], deletionProtection: false },
  staging: { region: 'eu-west-1', stageName: 'staging', allowedOrigins: ['https://staging.app.example.com'], deletionProtection: false },
  prod: { region: 'eu-west-1', stageName: 'prod', allowedOrigins: ['https://app.example.com'], deletionProtection: true },
};

const HERE = __dirname;
const REPOSITORY = path.resolve(HERE, '..', '..');

/**
 * Where the module and the built zips are. By default this repository and its dist/ (`npm run build`
 * at the root); a platform repository sets MODULE_SOURCE to a registry or git address
 * (`git::https://github.com/<org>/websocket-sessions.git?ref=v0.1.0`) and ARTIFACTS_DIR to the
 * directory holding the release's zips. Local paths are written relative to each stack's directory,
 * where Terraform runs.
 */
export interface Sources {
  moduleSource?: string;
  artifactsDir?: string;
  /** Remote state: each environment's state under its own key in this bucket; unset: local state. */
  stateBucket?: string;
}

export class WebSocketSessionsStack extends TerraformStack {
  constructor(scope: Construct, id: string, environment: Environment, stackDir: string, sources: Sources) {
    super(scope, id);
    const local = (dir: string) => path.relative(stackDir, dir) || '.';
    this.addOverride('terraform.required_version', '>= 1.11.0');
    this.addOverride('terraform.required_providers.aws', { source: 'hashicorp/aws', version: '>= 5.100, < 7.0' });
    this.addOverride('provider.aws', [{ region: environment.region }]);
    if (sources.stateBucket) {
      new S3Backend(this, { bucket: sources.stateBucket, key: `websocket-sessions/${environment.stageName}.tfstate`, region: environment.region });
      // S3's own lock file (Terraform 1.10+); cdktf 0.21's S3BackendConfig predates the argument.
      this.addOverride('terraform.backend.s3.use_lockfile', true);
    }

    const module = new TerraformHclModule(this, 'websocket_sessions', {
      source: sources.moduleSource ?? local(REPOSITORY),
      skipAssetCreationFromLocalModules: true,
      variables: {
        name: `chat-${environment.stageName}`,
        stage_name: environment.stageName,
        artifacts_dir: local(sources.artifactsDir ?? path.join(REPOSITORY, 'dist')),
        auth_mode: 'anonymous',
        allowed_origins: environment.allowedOrigins,
        deletion_protection_enabled: environment.deletionProtection,
        tags: { Project: 'websocket-sessions', Environment: environment.stageName },
      },
    });

    new TerraformOutput(this, 'websocket_url', { value: module.get('websocket_url') });
    new TerraformOutput(this, 'fanout_queue_url', { value: module.get('fanout_queue_url') });
    new TerraformOutput(this, 'publisher_policy_arn', { value: module.get('publisher_policy_arn') });
  }
}

/** The app: a stack per environment, written to `outdir`/stacks/websocket-sessions-<environment>. */
export function synthesize(outdir: string, sources: Sources): void {
  const app = new App({ outdir });
  for (const [name, environment] of Object.entries(ENVIRONMENTS)) {
    const id = `websocket-sessions-${name}`;
    new WebSocketSessionsStack(app, id, environment, path.join(outdir, 'stacks', id), sources);
  }
  app.synth();
}

if (require.main === module) {
  const setting = (name: string): string | undefined => process.env[name] || undefined;
  const artifactsDir = setting('ARTIFACTS_DIR');
  synthesize(setting('CDKTF_OUTDIR') ?? path.join(HERE, 'cdktf.out'), {
    moduleSource: setting('MODULE_SOURCE'),
    artifactsDir: artifactsDir && path.resolve(artifactsDir),
    stateBucket: setting('TF_STATE_BUCKET'),
  });
}
