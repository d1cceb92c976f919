import path from 'node:path';
import { LocalFunction } from '../../sandbox/lambda';
import { ROOT } from '../../sandbox/project';

/** How deep a recursive JSON.stringify nests on this thread: Node's main thread, as on Lambda (984 KB). */
function mainThreadDepth(): number {
  let low = 1;
  let high = 100_000;
  while (low < high) {
    const depth = Math.ceil((low + high) / 2);
    let value: unknown = [];
    for (let i = 1; i < depth; i += 1) value = [value];
    try {
      JSON.stringify(value);
      low = depth;
    } catch {
      high = depth - 1;
    }
  }
  return low;
}

describe('sandbox function stack', () => {
  it("is no deeper than a Lambda function's: input too deep for Lambda fails in the sandbox too", async () => {
    const fn = new LocalFunction('stack-depth', { file: path.join(ROOT, 'test/fixtures/handlers/stack-depth.js') }, {}, () => undefined);
    await fn.start();
    try {
      const outcome = await fn.invoke({}, 10_000);
      expect(outcome.status).toBe('ok');
      const { depth } = (outcome as { result: { depth: number } }).result;
      const lambda = mainThreadDepth();
      expect(depth).toBeLessThanOrEqual(lambda);
      // Not so tight that ordinary handlers (the SDK, the fan-out) would fail where Lambda does not.
      expect(depth).toBeGreaterThan(lambda * 0.9);
    } finally {
      await fn.stop();
    }
  });
});
