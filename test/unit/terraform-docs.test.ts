import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { begin, documentedModules, end, generatedDoc } from '../../scripts/terraform-docs';

const ROOT = path.resolve(__dirname, '..', '..');

describe('terraform module documentation', () => {
  it.each(documentedModules().map((module) => [module.doc, module] as const))(
    '%s holds the Inputs and Outputs tables of its module (run `npm run docs` after changing a variable or output)',
    async (doc, module) => {
      expect(await generatedDoc(module)).toBe(readFileSync(path.join(ROOT, doc), 'utf8'));
    },
  );

  it('covers the root module, every submodule and every example', () => {
    expect(documentedModules().map((module) => module.dir)).toEqual(
      expect.arrayContaining(['.', 'modules/connection-store', 'modules/fanout-queue', 'modules/lambda-function', 'modules/scheduler', 'modules/websocket-api', 'examples/minimal', 'examples/pipeline']),
    );
    // The root module's tables in its reference and in the README a registry shows.
    expect(documentedModules().filter((module) => module.dir === '.').map((module) => module.doc)).toEqual(['docs/terraform.md', 'README.md']);
  });

  describe('on a module written for the test', () => {
    let dir: string;
    const module = { dir: 'mod', doc: 'mod/README.md' };
    const readme = ['# mod', '## Inputs', begin('inputs'), 'stale', end('inputs'), '## Outputs', begin('outputs'), end('outputs'), ''].join('\n');

    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'terraform-docs-'));
      mkdirSync(path.join(dir, 'mod'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const write = (file: string, text: string) => writeFileSync(path.join(dir, 'mod', file), text);

    it('renders types on one line, defaults as HCL (map keys in Terraform\'s order), required inputs and list items of descriptions', async () => {
      write(
        'variables.tf',
        [
          'variable "routes" {',
          '  description = <<-EOT',
          '    Routes keyed by <route key>:',
          '    - invoke_arn: the function | its alias.',
          '    - authorize: whether `<authorizer>` guards it.',
          '  EOT',
          '  type = map(object({',
          '    invoke_arn = string',
          '    authorize  = optional(bool, false)',
          '  }))',
          '}',
          'variable "stage" {',
          '  description = "Name of the stage."',
          '  type        = string',
          '  default     = null',
          '}',
          'variable "permissions" {',
          '  description = "Roles per action."',
          '  type        = map(list(string))',
          '  default     = { broadcast = ["admin"], "$connect" = [] }',
          '}',
        ].join('\n'),
      );
      write('outputs.tf', 'output "api_id" {\n  description = "ID of the API."\n  value       = "x"\n}\n');
      writeFileSync(path.join(dir, module.doc), readme);

      const doc = await generatedDoc(module, dir);

      expect(doc.split('\n').filter((line) => line.startsWith('| <a'))).toEqual([
        '| <a name="input_routes"></a> `routes` | Routes keyed by &lt;route key&gt;:<br>- invoke_arn: the function \\| its alias.<br>- authorize: whether `<authorizer>` guards it. | `map(object({ invoke_arn = string, authorize = optional(bool, false) }))` | n/a | yes |',
        '| <a name="input_stage"></a> `stage` | Name of the stage. | `string` | `null` | no |',
        '| <a name="input_permissions"></a> `permissions` | Roles per action. | `map(list(string))` | `{ "$connect" = [], broadcast = ["admin"] }` | no |',
        '| <a name="output_api_id"></a> `api_id` | ID of the API. |',
      ]);
      expect(doc).not.toContain('stale');
    });

    it('refuses a variable without a description, naming it', async () => {
      write('variables.tf', 'variable "stage" {\n  type = string\n}\n');
      writeFileSync(path.join(dir, module.doc), readme);
      await expect(generatedDoc(module, dir)).rejects.toThrow(`${path.join(dir, 'mod', 'variables.tf')}: variable "stage" has no description`);
    });

    it('refuses a README without the markers, naming them', async () => {
      write('variables.tf', 'variable "stage" {\n  description = "Name of the stage."\n  type        = string\n}\n');
      writeFileSync(path.join(dir, module.doc), '# mod\n## Inputs\n');
      await expect(generatedDoc(module, dir)).rejects.toThrow(`mod/README.md lacks the markers ${begin('inputs')} … ${end('inputs')}`);
    });
  });
});
