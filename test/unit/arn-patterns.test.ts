import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

// Every validation of an ARN, in the root module and the submodules, uses the one pattern of its kind
// in modules/arn-patterns.json (through local.arn_patterns), never a regex of its own.
const ROOT = join(__dirname, '../..');
const patterns = JSON.parse(readFileSync(join(ROOT, 'modules/arn-patterns.json'), 'utf8')) as Record<string, string>;
const kinds = Object.keys(patterns).filter((key) => key !== '//');

function terraformFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) {
      return ['node_modules', '.terraform', '.git', 'dist'].includes(entry.name) ? [] : terraformFiles(join(dir, entry.name));
    }
    return entry.name.endsWith('.tf') ? [join(dir, entry.name)] : [];
  });
}

const files = terraformFiles(ROOT).map((file) => ({ file: relative(ROOT, file), text: readFileSync(file, 'utf8') }));

describe('ARN patterns', () => {
  it('finds the Terraform files', () => {
    expect(files.map(({ file }) => file)).toEqual(expect.arrayContaining(['variables.tf', 'modules/fanout-queue/variables.tf']));
  });

  it('leaves no ARN regex literal in any .tf file', () => {
    const literals = files.flatMap(({ file, text }) => [...text.matchAll(/regex\("\^arn[^"]*"/g)].map((match) => `${file}: ${match[0]}`));
    expect(literals).toEqual([]);
  });

  it('names only kinds that modules/arn-patterns.json declares', () => {
    const used = files.flatMap(({ text }) => [...text.matchAll(/local\.arn_patterns\.([a-z_]+)/g)].map((match) => match[1] ?? ''));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((kind) => !kinds.includes(kind))).toEqual([]);
  });

  it('loads the shared file in every module that validates an ARN', () => {
    const modules = new Set(files.filter(({ text }) => text.includes('local.arn_patterns.')).map(({ file }) => file.split('/').slice(0, -1).join('/')));
    for (const dir of modules) {
      const loads = files.some(({ file, text }) => file.split('/').slice(0, -1).join('/') === dir && /arn_patterns\s*=\s*jsondecode\(file\("\$\{path\.module\}\/[./]*(modules\/)?arn-patterns\.json"\)\)/.test(text));
      expect({ dir, loads }).toEqual({ dir, loads: true });
    }
  });

  it.each([
    ['kms_key', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'arn:aws:kms:eu-west-1:123456789012:alias/queues'],
    ['sns_topic', 'arn:aws:sns:eu-west-1:123456789012:ops', 'arn:aws:sqs:eu-west-1:123456789012:ops'],
    ['ssm_parameter', 'arn:aws:ssm:eu-west-1:123456789012:parameter/chat/jwt-key', '/chat/jwt-key'],
    ['secretsmanager_secret', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:chat/jwt-key-AbC123', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:chat/jwt-key'],
    ['lambda_function', 'arn:aws-cn:lambda:cn-north-1:123456789012:function:chat-sweeper', 'arn:aws:lambda:eu-west-1:123456789012:function:chat-sweeper:live'],
    ['lambda_function_optionally_qualified', 'arn:aws:lambda:eu-west-1:123456789012:function:teleprinter:live', 'arn:aws:lambda:eu-west-1:123456789012:layer:teleprinter'],
  ])('%s accepts %s and refuses %s', (kind, good, bad) => {
    const pattern = new RegExp(patterns[kind] ?? '(?!)');
    expect([pattern.test(good), pattern.test(bad)]).toEqual([true, false]);
  });
});
