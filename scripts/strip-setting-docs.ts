/**
 * An esbuild plugin that leaves the settings' documentation out of the Lambda bundles. A setting's
 * declaration (`integer({...})`, `string({...})`… in functions/*.settings.ts, functions/settings/ and
 * packages/sessions' settings files, which the authorizer and the login example's function read too)
 * carries a `description` and a `terraform` source for the manifest, the docs table and the Terraform
 * tests, which read the declarations in Node, never from a bundle; a handler needs only the name, the
 * type, the bounds and the default. The plugin drops those two properties from every object literal
 * of the declaration files (a helper's argument, or a shared setting re-sourced with a spread), so
 * the prose costs no bytes in a zip. Nothing else in those files may use the two names.
 */
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';
import ts from 'typescript';

/** What only the manifest, the docs and the Terraform tests read. */
const DOCUMENTATION = new Set(['description', 'terraform']);
/** Files that declare settings: `<function>.settings.ts` and the shared declarations. */
export const DECLARATION_FILES = /(\.settings\.ts|[\\/]functions[\\/]settings[\\/][^\\/]+\.ts|[\\/]packages[\\/]sessions[\\/]src[\\/](cookie[\\/]|login[\\/])?settings\.ts)$/;

/** The source with every object literal's `description` and `terraform` properties removed. */
export function stripSettingDocs(source: string, fileName: string): string {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const removals: Array<[number, number]> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && DOCUMENTATION.has(node.name.text) && ts.isObjectLiteralExpression(node.parent)) {
      // The property and its trailing comma, if any (a leftover leading comma is valid too).
      const end = source[node.end] === ',' ? node.end + 1 : node.end;
      removals.push([node.getStart(file), end]);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let stripped = source;
  for (const [start, end] of removals.sort(([a], [b]) => b - a)) stripped = stripped.slice(0, start) + stripped.slice(end);
  return stripped;
}

export const stripSettingDocsPlugin: Plugin = {
  name: 'strip-setting-docs',
  setup(build) {
    build.onLoad({ filter: DECLARATION_FILES }, async (args) => ({
      contents: stripSettingDocs(await readFile(args.path, 'utf8'), args.path),
      loader: 'ts',
    }));
  },
};
