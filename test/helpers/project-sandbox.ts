import { startProjectSandbox, type ProjectSandboxOptions } from '../../sandbox/project';
import { createTestTable, dynamoEndpoint } from './dynamo';
import { LogCapture } from './logs';

/** The real handler zips in a sandbox on a fresh table, with their log lines captured. */
export async function startTestProject(options: Partial<ProjectSandboxOptions> = {}) {
  const logs = new LogCapture();
  const tableName = await createTestTable('project');
  const sandbox = await startProjectSandbox({
    dynamoEndpoint: dynamoEndpoint(),
    tableName,
    port: 0,
    allowedOrigins: ['https://app.example.com'],
    onLog: logs.sink,
    ...options,
  });
  return { sandbox, logs, tableName };
}
