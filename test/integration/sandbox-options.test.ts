import { startProjectSandbox } from '../../sandbox/project';

describe('project sandbox options', () => {
  it.each([8, 7201, 12.5])('refuses maxConnectionSeconds %s, outside the sweeper’s bounds, before starting anything', async (maxConnectionSeconds) => {
    // The endpoint is never reached: the option is refused first.
    await expect(startProjectSandbox({ dynamoEndpoint: 'http://127.0.0.1:9', port: 0, maxConnectionSeconds })).rejects.toThrow(
      `maxConnectionSeconds must be a whole number from 10 to 7200 (the sweeper's CONNECTION_MAX_SECONDS), not ${maxConnectionSeconds}`,
    );
  });
});
