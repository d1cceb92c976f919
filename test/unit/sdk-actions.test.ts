import { analyzeEntry, createProgram } from '../../scripts/sdk-actions';

const FIXTURES = 'test/fixtures/sdk-actions';
const entries = ['removes-only', 'many-services', 'dynamic-index', 'built-items', 'converts-items'].map((name) => `${FIXTURES}/${name}.ts`);

describe('sdk-actions', () => {
  // One program (type checker) for every fixture, as the build makes one for every function.
  const program = createProgram(entries);

  it('counts only the members of a store an entry point calls, not the whole factory', () => {
    expect(analyzeEntry(program, `${FIXTURES}/removes-only.ts`)).toEqual({ actions: ['dynamodb:DeleteItem'], queryIndexes: [], connectionMethods: [] });
  });

  it('maps transactions to their items, batches to their single action, CreateSchedule to PassRole too, and each Query to its index or the table', () => {
    expect(analyzeEntry(program, `${FIXTURES}/many-services.ts`)).toEqual({
      actions: ['dynamodb:ConditionCheckItem', 'dynamodb:PutItem', 'dynamodb:Query', 'iam:PassRole', 'scheduler:CreateSchedule', 'sqs:SendMessage'],
      queryIndexes: ['GSI1', 'table'],
      connectionMethods: [],
    });
  });

  it('maps a transaction whose items helpers and callers build to the items the code builds', () => {
    expect(analyzeEntry(program, `${FIXTURES}/built-items.ts`)).toEqual({ actions: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'], queryIndexes: [], connectionMethods: [] });
  });

  it('takes @aws-sdk/util-dynamodb (marshall, unmarshall) as sending nothing', () => {
    expect(analyzeEntry(program, `${FIXTURES}/converts-items.ts`)).toEqual({ actions: ['dynamodb:GetItem'], queryIndexes: [], connectionMethods: [] });
  });

  it('refuses an index it cannot resolve, naming the line', () => {
    expect(() => analyzeEntry(program, `${FIXTURES}/dynamic-index.ts`)).toThrow(/dynamic-index\.ts:8: cannot tell which index/);
  });
});
