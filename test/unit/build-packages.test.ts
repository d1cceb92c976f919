import { PackageBuildError, publishedManifest } from '../../scripts/build-packages';

const root = { name: 'websocket-sessions', version: '0.1.0', license: 'MIT', engines: { node: '>=20' }, dependencies: { '@aws-sdk/client-sqs': '^3.1169.0', ioredis: '^6.0.0' } };
const publisher = {
  name: '@websocket-sessions/publisher',
  version: '0.2.0',
  description: 'Push to WebSocket clients',
  dependencies: { '@aws-sdk/client-sqs': '^3.1169.0', '@websocket-sessions/contract': '0.1.0' },
};
const TYPES = './types/packages/publisher/src/index.d.ts';

describe('the published package.json', () => {
  it('serves import, require and types, and depends on exactly what the bundle imports (the contract is bundled in)', () => {
    expect(publishedManifest(publisher, root, ['@aws-sdk/client-sqs'], TYPES)).toEqual({
      name: '@websocket-sessions/publisher',
      version: '0.2.0',
      description: 'Push to WebSocket clients',
      license: 'MIT',
      engines: { node: '>=20' },
      main: './index.cjs',
      module: './index.mjs',
      types: TYPES,
      exports: {
        '.': { types: TYPES, import: './index.mjs', require: './index.cjs' },
        './package.json': './package.json',
        './queue-message.schema.json': './queue-message.schema.json',
      },
      dependencies: { '@aws-sdk/client-sqs': '^3.1169.0' },
    });
  });

  it('fails the build when the bundle imports a package the package.json does not declare', () => {
    expect(() => publishedManifest(publisher, root, ['@aws-sdk/client-sqs', 'ioredis'], TYPES)).toThrow(PackageBuildError);
    expect(() => publishedManifest(publisher, root, ['ioredis'], TYPES)).toThrow("@websocket-sessions/publisher imports ioredis: declare them in its package.json's dependencies");
  });

  it("fails the build when a package's range differs from the root package.json's (the one the tests ran against)", () => {
    const drifted = { ...publisher, dependencies: { '@aws-sdk/client-sqs': '^3.0.0' } };
    expect(() => publishedManifest(drifted, root, ['@aws-sdk/client-sqs'], TYPES)).toThrow(
      '@websocket-sessions/publisher declares @aws-sdk/client-sqs@^3.0.0, the root package.json @aws-sdk/client-sqs@^3.1169.0: keep them equal',
    );
  });
});
