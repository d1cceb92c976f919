import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { MAX_MESSAGE_BYTES as SERVER_MAX_MESSAGE_BYTES } from '../../functions/lib/protocol/frames';
import { ERROR_CODES, MAX_MESSAGE_BYTES, SERVER_FRAME_TYPES } from '../../packages/client/src/wire';

const ROOT = path.resolve(__dirname, '../..');
const parse = (file: string) => ts.createSourceFile(file, readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
const literals = (node: ts.Node | undefined): string[] => {
  const found: string[] = [];
  const visit = (child: ts.Node) => {
    if (ts.isStringLiteral(child)) found.push(child.text);
    ts.forEachChild(child, visit);
  };
  if (node) visit(node);
  return found;
};

/** The server's own definitions, read from its source: the `ErrorCode` union and every frame interface's `type`. */
function serverDefinitions() {
  const frames = parse('functions/lib/protocol/frames.ts');
  const errorCodes: string[] = [];
  const frameTypes: string[] = [];
  frames.forEachChild((node) => {
    if (ts.isTypeAliasDeclaration(node) && node.name.text === 'ErrorCode') errorCodes.push(...literals(node.type));
    if (ts.isInterfaceDeclaration(node)) {
      const type = node.members.find((member) => ts.isPropertySignature(member) && member.name.getText(frames) === 'type');
      frameTypes.push(...literals(type));
    }
  });
  // The sweeper builds the goaway frame itself.
  const goaway = parse('functions/lib/sweep/goaway.ts');
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAssignment(node) && node.name.getText(goaway) === 'type' && ts.isStringLiteral(node.initializer)) frameTypes.push(node.initializer.text);
    ts.forEachChild(node, visit);
  };
  visit(goaway);
  return { errorCodes, frameTypes };
}

describe('client wire types', () => {
  const server = serverDefinitions();

  it('name exactly the error codes the server defines', () => {
    expect(server.errorCodes.length).toBeGreaterThan(5);
    expect([...ERROR_CODES].sort()).toEqual([...server.errorCodes].sort());
  });

  it('name exactly the frame types the server sends', () => {
    expect(server.frameTypes).toContain('goaway');
    expect([...SERVER_FRAME_TYPES].sort()).toEqual([...new Set(server.frameTypes)].sort());
  });

  it('hold the server message size limit', () => {
    expect(MAX_MESSAGE_BYTES).toBe(SERVER_MAX_MESSAGE_BYTES);
  });
});
