import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';

/**
 * Fault injection: a real SDK client whose first middleware answers every command with the given error
 * (or success), so no request leaves the process. API Gateway cannot be made to answer 410 on demand.
 */
export function clientAnswering(outcome: Error | 'ok'): { client: ApiGatewayManagementApiClient; inputs: Array<{ name: string; input: unknown }> } {
  const client = new ApiGatewayManagementApiClient({
    endpoint: 'http://127.0.0.1:1',
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  const inputs: Array<{ name: string; input: unknown }> = [];
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      inputs.push({ name: context.commandName ?? '', input: args.input });
      if (outcome === 'ok') return { output: { $metadata: { httpStatusCode: 200 } }, response: {} };
      throw outcome;
    },
    { step: 'initialize', name: 'injectFault' },
  );
  return { client, inputs };
}
