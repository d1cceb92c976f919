import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BEGIN, END, LISTED_EXAMPLES, createdResources, renderResources } from '../../scripts/example-resources';
import { createdPerModule } from '../../scripts/offline-plan';

// The lists themselves come from an offline terraform plan, checked fresh by
// `npx tsx scripts/example-resources.ts --check` in scripts/terraform-test.sh; here, how a plan is
// read and written, and that every listed README has the generated section.
const plan = {
  resource_changes: [
    { address: 'module.websocket_sessions.module.connect.aws_lambda_function.this', mode: 'managed', type: 'aws_lambda_function', change: { actions: ['create'] } },
    { address: 'aws_sns_topic.alarms', mode: 'managed', type: 'aws_sns_topic', change: { actions: ['create'] } },
    { address: 'module.websocket_sessions.module.message.aws_lambda_function.this', mode: 'managed', type: 'aws_lambda_function', change: { actions: ['create'] } },
    { address: 'module.websocket_sessions.aws_ssm_parameter.session_key[0]', mode: 'managed', type: 'aws_ssm_parameter', change: { actions: ['no-op'] } },
    { address: 'module.websocket_sessions.data.aws_partition.current[0]', mode: 'data', type: 'aws_partition', change: { actions: ['read'] } },
  ],
};

describe('example resource lists', () => {
  it('keeps the managed resources a plan creates, inside the example, sorted', () => {
    expect(createdResources(plan)).toStrictEqual(['aws_sns_topic.alarms', 'module.connect.aws_lambda_function.this', 'module.message.aws_lambda_function.this']);
    expect(createdResources({})).toStrictEqual([]);
  });

  it('writes the total, a count per type and every address', () => {
    const text = renderResources(createdResources(plan));
    expect(text.split('\n').slice(0, 7)).toStrictEqual([
      '3 resources with the example\'s defaults.',
      '',
      '| Resource type | Count |',
      '|---------------|------:|',
      '| `aws_lambda_function` | 2 |',
      '| `aws_sns_topic` | 1 |',
      '',
    ]);
    expect(text).toContain('```text\naws_sns_topic.alarms\nmodule.connect.aws_lambda_function.this\nmodule.message.aws_lambda_function.this\n```');
  });

  it.each(Object.keys(LISTED_EXAMPLES))('examples/%s/README.md holds a generated list that names every function', (name) => {
    const readme = readFileSync(join(__dirname, '..', '..', 'examples', name, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END));
    expect(section).toMatch(/^\d+ resources with the example's defaults\.$/m);
    for (const fn of ['authorizer', 'connect', 'disconnect', 'fanout', 'message', 'sweeper']) expect(section).toContain(`module.${fn}.aws_lambda_function.this`);
  });

  it('lists no alarm, dashboard, domain or key for examples/minimal', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'examples', 'minimal', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END));
    for (const type of ['aws_cloudwatch_metric_alarm', 'aws_cloudwatch_dashboard', 'aws_apigatewayv2_domain_name', 'aws_kms_key', 'aws_iam_role_policy_attachment']) expect(section).not.toContain(type);
  });
});

describe('example resource lists, resources of Terraform itself', () => {
  it('counts terraform_data beside the aws_ types (a resource type without the aws_ prefix)', () => {
    const text = renderResources(['terraform_data.artifacts', 'module.connect.aws_lambda_function.this']);
    expect(text).toContain('| `terraform_data` | 1 |');
    expect(text).toContain('| `aws_lambda_function` | 1 |');
  });
});

describe('real provider plan, resources per configuration', () => {
  it('counts the resources each module block of the root creates, not those outside a module, read or left alone', () => {
    expect(createdPerModule(plan)).toStrictEqual(new Map([['websocket_sessions', 2]]));
    expect(createdPerModule({})).toStrictEqual(new Map());
  });
});
