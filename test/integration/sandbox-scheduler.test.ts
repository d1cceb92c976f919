import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { atExpression, SANDBOX_SCHEDULER_ROLE_ARN, sandboxFunctionArn, startSandbox, type Sandbox } from '../../sandbox';
import { rawRequest, SIGNED, sleep } from '../helpers/clients';
import { LogCapture } from '../helpers/logs';

const handlers = path.join(__dirname, '..', 'fixtures', 'handlers');
const file = (name: string) => ({ file: path.join(handlers, `${name}.js`) });
const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };
const GROUP = 'websocket-sessions';
/** How late a run may come after its at() time. */
const PUNCTUALITY_MS = 200;

/** A session id as the project mints them: 16 random bytes, 22 characters of base64url. */
const sessionId = (): string => randomBytes(16).toString('base64url');

/** The first whole second at least `aheadMs` from now (at() has second resolution). */
const wholeSecondAhead = (aheadMs = 300): number => Math.ceil((Date.now() + aheadMs) / 1000) * 1000;

/** What the disconnect function will send: a one-time expiry schedule for the session. */
function expiry(id: string, at: number, overrides: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput {
  return {
    Name: `expire-${id}`,
    GroupName: GROUP,
    ScheduleExpression: atExpression(at),
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: { Arn: sandboxFunctionArn('target'), RoleArn: SANDBOX_SCHEDULER_ROLE_ARN, Input: JSON.stringify({ task: 'expire', sessionId: id }) },
    ...overrides,
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

describe('sandbox EventBridge Scheduler emulator', () => {
  let sandbox: Sandbox;
  let logs: LogCapture;
  let client: SchedulerClient;

  /** The runs of the target for one session: its events and when each started (epoch ms, in the worker). */
  const runsOf = (id: string) =>
    logs
      .records('target')
      .filter((r) => r.fixture === 'scheduled' && (r.event as { sessionId?: string }).sessionId === id)
      .map((r) => ({ event: r.event, at: r.at as number }));

  async function waitForRun(id: string, timeoutMs = 3_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const runs = runsOf(id);
      if (runs.length > 0) return runs;
      if (Date.now() > deadline) throw new Error(`the target never ran for session ${id}`);
      await sleep(10);
    }
  }

  beforeAll(async () => {
    logs = new LogCapture();
    sandbox = await startSandbox({
      port: 0,
      functions: { target: { source: file('scheduled') } },
      routes: {},
      scheduleGroups: [GROUP, 'other'],
      onLog: logs.sink,
    });
    client = new SchedulerClient({ endpoint: sandbox.schedulerEndpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  });

  afterAll(async () => {
    client?.destroy();
    await sandbox?.stop();
  });

  it('runs a one-time at() schedule at its time with its Input as the event, then deletes it', async () => {
    const id = sessionId();
    const at = wholeSecondAhead();
    const before = { ...sandbox.scheduler.counters };
    const created = await client.send(new CreateScheduleCommand(expiry(id, at)));
    expect(created.ScheduleArn).toBe(`arn:aws:scheduler:us-east-1:000000000000:schedule/${GROUP}/expire-${id}`);
    expect(sandbox.scheduler.schedule(`expire-${id}`, GROUP)).toMatchObject({ state: 'scheduled', nextFireAt: at, runs: 0 });

    const [run, ...more] = await waitForRun(id);
    expect(run!.event).toEqual({ task: 'expire', sessionId: id });
    expect(run!.at).toBeGreaterThanOrEqual(at);
    expect(run!.at - at).toBeLessThan(PUNCTUALITY_MS);
    expect(more).toHaveLength(0);

    const gone = await rejection(client.send(new GetScheduleCommand({ Name: `expire-${id}`, GroupName: GROUP })));
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect(gone.message).toBe(`Schedule expire-${id} does not exist.`);
    expect(sandbox.scheduler.schedule(`expire-${id}`, GROUP)).toBeUndefined();
    await sandbox.scheduler.idle();
    expect(sandbox.scheduler.firings().find((f) => f.name === `expire-${id}`)).toMatchObject({
      group: GROUP,
      event: { task: 'expire', sessionId: id },
      outcome: { status: 'ok', result: { ok: true } },
    });
    expect(sandbox.scheduler.counters).toMatchObject({
      created: before.created + 1,
      fired: before.fired + 1,
      autoDeleted: before.autoDeleted + 1,
      deleted: before.deleted,
      failed: before.failed,
    });
  });

  it('GetSchedule describes a schedule as created, with the defaults AWS reports', async () => {
    const id = sessionId();
    const at = Date.now() + 3_600_000;
    await client.send(new CreateScheduleCommand(expiry(id, at, { Description: 'expires a session' })));
    const got = await client.send(new GetScheduleCommand({ Name: `expire-${id}`, GroupName: GROUP }));
    expect(got).toMatchObject({
      Arn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${GROUP}/expire-${id}`,
      Name: `expire-${id}`,
      GroupName: GROUP,
      ScheduleExpression: atExpression(at),
      ScheduleExpressionTimezone: 'UTC',
      Description: 'expires a session',
      State: 'ENABLED',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: 'arn:aws:lambda:us-east-1:000000000000:function:target',
        RoleArn: SANDBOX_SCHEDULER_ROLE_ARN,
        Input: JSON.stringify({ task: 'expire', sessionId: id }),
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
      },
    });
    expect(got.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(got.CreationDate!.getTime() - Date.now())).toBeLessThan(5_000);
    // Names are unique per group: the same name is not found in another group, nor in default.
    for (const GroupName of ['other', undefined]) {
      expect(await rejection(client.send(new GetScheduleCommand({ Name: `expire-${id}`, GroupName })))).toBeInstanceOf(ResourceNotFoundException);
    }
    await client.send(new DeleteScheduleCommand({ Name: `expire-${id}`, GroupName: GROUP }));
  });

  it('never runs a schedule deleted before its time', async () => {
    const id = sessionId();
    const at = wholeSecondAhead();
    const before = { ...sandbox.scheduler.counters };
    const invocations = sandbox.functions.get('target')!.invocations;
    await client.send(new CreateScheduleCommand(expiry(id, at)));
    await client.send(new DeleteScheduleCommand({ Name: `expire-${id}`, GroupName: GROUP }));
    expect(sandbox.scheduler.schedule(`expire-${id}`, GROUP)).toBeUndefined();

    await sleep(at - Date.now() + 300);
    expect(runsOf(id)).toHaveLength(0);
    expect(sandbox.functions.get('target')!.invocations).toBe(invocations);
    expect(sandbox.scheduler.counters).toMatchObject({ created: before.created + 1, deleted: before.deleted + 1, fired: before.fired });
    // Deleting it again: it is gone.
    const again = await rejection(client.send(new DeleteScheduleCommand({ Name: `expire-${id}`, GroupName: GROUP })));
    expect(again).toBeInstanceOf(ResourceNotFoundException);
  });

  it('keeps a one-time schedule after it ran when ActionAfterCompletion is NONE (the default), and runs it once', async () => {
    const explicit = sessionId();
    const implicit = sessionId();
    const at = wholeSecondAhead();
    await client.send(new CreateScheduleCommand(expiry(explicit, at, { ActionAfterCompletion: 'NONE' })));
    const { ActionAfterCompletion: _omitted, ...withoutAction } = expiry(implicit, at);
    await client.send(new CreateScheduleCommand(withoutAction));

    await waitForRun(explicit);
    await waitForRun(implicit);
    await sandbox.scheduler.idle();
    for (const id of [explicit, implicit]) {
      const kept = await client.send(new GetScheduleCommand({ Name: `expire-${id}`, GroupName: GROUP }));
      expect(kept).toMatchObject({ State: 'ENABLED', ActionAfterCompletion: 'NONE' });
      expect(sandbox.scheduler.schedule(`expire-${id}`, GROUP)).toMatchObject({ state: 'done', runs: 1 });
      expect(sandbox.scheduler.schedule(`expire-${id}`, GROUP)!.nextFireAt).toBeUndefined();
    }
    await sleep(300);
    expect(runsOf(explicit)).toHaveLength(1);
    expect(runsOf(implicit)).toHaveLength(1);
    for (const id of [explicit, implicit]) await client.send(new DeleteScheduleCommand({ Name: `expire-${id}`, GroupName: GROUP }));
  });

  it('runs an at() schedule whose time has passed at once', async () => {
    const id = sessionId();
    const created = Date.now();
    await client.send(new CreateScheduleCommand(expiry(id, created - 60_000)));
    const [run] = await waitForRun(id);
    expect(run!.at - created).toBeLessThan(PUNCTUALITY_MS);
    expect(sandbox.scheduler.schedule(`expire-${id}`, GROUP)).toBeUndefined();
  });

  it('reads at() in ScheduleExpressionTimezone', async () => {
    const id = sessionId();
    // 10:00 in New York in January is 15:00 UTC.
    await client.send(new CreateScheduleCommand(expiry(id, 0, { ScheduleExpression: 'at(2099-01-15T10:00:00)', ScheduleExpressionTimezone: 'America/New_York' })));
    expect(sandbox.scheduler.schedule(`expire-${id}`, GROUP)!.nextFireAt).toBe(Date.UTC(2099, 0, 15, 15, 0, 0));
    const bad = await rejection(client.send(new CreateScheduleCommand(expiry(sessionId(), Date.now() + 60_000, { ScheduleExpressionTimezone: 'Mars/Olympus' }))));
    expect(bad).toBeInstanceOf(ValidationException);
    await client.send(new DeleteScheduleCommand({ Name: `expire-${id}`, GroupName: GROUP }));
  });

  it('records a failed run: the function throws, or Input is not JSON', async () => {
    const before = { ...sandbox.scheduler.counters };
    const throws = `throws-${sessionId()}`;
    const notJson = `not-json-${sessionId()}`;
    const target = (Input: string) => ({ Arn: sandboxFunctionArn('target'), RoleArn: SANDBOX_SCHEDULER_ROLE_ARN, Input });
    await client.send(new CreateScheduleCommand({ ...expiry('x', Date.now()), Name: throws, Target: target('{"do":"throw"}') }));
    await client.send(new CreateScheduleCommand({ ...expiry('x', Date.now()), Name: notJson, Target: target('not json') }));
    for (;;) {
      await sandbox.scheduler.idle();
      const firings = sandbox.scheduler.firings().filter((f) => f.name === throws || f.name === notJson);
      if (firings.length === 2 && firings.every((f) => f.outcome)) break;
      await sleep(10);
    }
    const outcome = (name: string) => sandbox.scheduler.firings().find((f) => f.name === name)!.outcome;
    expect(outcome(throws)).toEqual({ status: 'error', errorType: 'Error', errorMessage: 'scheduled fixture told to throw' });
    expect(outcome(notJson)).toMatchObject({ status: 'error', errorType: 'InvalidRequestContentException' });
    expect(sandbox.scheduler.counters).toMatchObject({ fired: before.fired + 2, failed: before.failed + 2 });
  });

  it('refuses a second schedule of the same name in a group with ConflictException, but not in another group', async () => {
    const id = sessionId();
    const later = Date.now() + 3_600_000;
    await client.send(new CreateScheduleCommand(expiry(id, later)));
    const conflict = await rejection(client.send(new CreateScheduleCommand(expiry(id, later + 60_000))));
    expect(conflict).toBeInstanceOf(ConflictException);
    expect(conflict.message).toBe(`Schedule expire-${id} already exists.`);
    expect((conflict as ConflictException).$metadata.httpStatusCode).toBe(409);
    // The first one is untouched.
    expect(sandbox.scheduler.schedule(`expire-${id}`, GROUP)!.expression).toBe(atExpression(later));
    await client.send(new CreateScheduleCommand(expiry(id, later, { GroupName: 'other' })));
    for (const GroupName of [GROUP, 'other']) await client.send(new DeleteScheduleCommand({ Name: `expire-${id}`, GroupName }));
  });

  it('answers a retried CreateSchedule (same ClientToken) with success, not a conflict', async () => {
    const id = sessionId();
    const input = expiry(id, Date.now() + 3_600_000, { ClientToken: `token-${id}` });
    const first = await client.send(new CreateScheduleCommand(input));
    const retry = await client.send(new CreateScheduleCommand(input));
    expect(retry.ScheduleArn).toBe(first.ScheduleArn);
    expect(sandbox.scheduler.schedules().filter((s) => s.name === `expire-${id}`)).toHaveLength(1);
    await client.send(new DeleteScheduleCommand({ Name: `expire-${id}`, GroupName: GROUP }));
  });

  it('answers ResourceNotFoundException for an unknown group or schedule', async () => {
    const id = sessionId();
    const noGroup = await rejection(client.send(new CreateScheduleCommand(expiry(id, Date.now() + 60_000, { GroupName: 'no-such-group' }))));
    expect(noGroup).toBeInstanceOf(ResourceNotFoundException);
    expect(noGroup.message).toBe('Schedule group no-such-group does not exist.');
    expect((noGroup as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    expect(await rejection(client.send(new GetScheduleCommand({ Name: `expire-${id}`, GroupName: 'no-such-group' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(client.send(new GetScheduleCommand({ Name: `expire-${id}`, GroupName: GROUP })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(client.send(new DeleteScheduleCommand({ Name: `expire-${id}`, GroupName: GROUP })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(client.send(new GetScheduleGroupCommand({ Name: 'no-such-group' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await client.send(new GetScheduleGroupCommand({ Name: GROUP }))).toMatchObject({
      Arn: `arn:aws:scheduler:us-east-1:000000000000:schedule-group/${GROUP}`,
      State: 'ACTIVE',
    });
    expect(sandbox.scheduler.schedules().some((s) => s.name === `expire-${id}`)).toBe(false);
  });

  it.each([
    ['a slash', 'expire/abc'],
    ['a space', 'expire abc'],
    ['a colon', 'expire:abc'],
    ['65 characters', 'x'.repeat(65)],
  ])('refuses a schedule name with %s with ValidationException', async (_what, Name) => {
    const error = await rejection(client.send(new CreateScheduleCommand({ ...expiry(sessionId(), Date.now() + 60_000), Name })));
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).$metadata.httpStatusCode).toBe(400);
    expect(sandbox.scheduler.schedules().some((s) => s.name === Name)).toBe(false);
  });

  it('accepts every session id (base64url: - and _ included) and a 64-character name', async () => {
    for (const Name of ['expire-AAAAAAAAAAAAAAAAAAAA-_', 'y'.repeat(64)]) {
      await client.send(new CreateScheduleCommand({ ...expiry('x', Date.now() + 3_600_000), Name }));
      await client.send(new DeleteScheduleCommand({ Name, GroupName: GROUP }));
    }
  });

  it.each([
    'at(2099-13-01T00:00:00)',
    'at(2099-02-30T00:00:00)',
    'at(2099-01-01T24:00:00)',
    'at(2099-01-01 00:00:00)',
    'at(2099-01-01T00:00)',
    'at(2099-01-01T00:00:00Z)',
    'rate(0 minutes)',
    'rate(5 weeks)',
    'rate(five minutes)',
    'cron(0 12 * * ?)',
    'cron(0 12 * * * *)',
    'cron(0 12 ? * ? *)',
    'every 5 minutes',
    '',
  ])('refuses the schedule expression %j with ValidationException', async (ScheduleExpression) => {
    const id = sessionId();
    const error = await rejection(client.send(new CreateScheduleCommand(expiry(id, 0, { ScheduleExpression }))));
    expect(error).toBeInstanceOf(ValidationException);
    expect(sandbox.scheduler.schedule(`expire-${id}`, GROUP)).toBeUndefined();
  });

  it('accepts rate() and cron() expressions; cron ones are never run', async () => {
    const rate = `rate-${sessionId()}`;
    const cron = `cron-${sessionId()}`;
    await client.send(new CreateScheduleCommand({ ...expiry('x', 0), Name: rate, ScheduleExpression: 'rate(5 minutes)', ActionAfterCompletion: 'NONE' }));
    await client.send(new CreateScheduleCommand({ ...expiry('x', 0), Name: cron, ScheduleExpression: 'cron(0/5 * * * ? *)', ActionAfterCompletion: 'NONE' }));
    const rateInfo = sandbox.scheduler.schedule(rate, GROUP)!;
    expect(rateInfo.state).toBe('scheduled');
    expect(rateInfo.nextFireAt! - Date.now()).toBeGreaterThan(290_000);
    expect(sandbox.scheduler.schedule(cron, GROUP)).toMatchObject({ state: 'unfired' });
    expect(sandbox.scheduler.schedule(cron, GROUP)!.nextFireAt).toBeUndefined();
    for (const Name of [rate, cron]) await client.send(new DeleteScheduleCommand({ Name, GroupName: GROUP }));
  });

  it.each([
    ['a function the sandbox does not have', { Arn: sandboxFunctionArn('nope') }],
    ['a function of another account', { Arn: 'arn:aws:lambda:us-east-1:123456789012:function:target' }],
    ['a qualified function ARN', { Arn: `${sandboxFunctionArn('target')}:live` }],
    ['a queue', { Arn: 'arn:aws:sqs:us-east-1:000000000000:jobs' }],
    ['no ARN at all', { Arn: 'target' }],
    ['no RoleArn', { RoleArn: undefined }],
    ['a RoleArn that is not a role', { RoleArn: 'arn:aws:iam::000000000000:user/alice' }],
  ])('refuses a target with %s with ValidationException', async (_what, override) => {
    const id = sessionId();
    const input = expiry(id, Date.now() + 60_000);
    const error = await rejection(client.send(new CreateScheduleCommand({ ...input, Target: { ...input.Target!, ...override } as never })));
    expect(error).toBeInstanceOf(ValidationException);
    expect(sandbox.scheduler.schedule(`expire-${id}`, GROUP)).toBeUndefined();
  });

  it('refuses a missing FlexibleTimeWindow, or FLEXIBLE without MaximumWindowInMinutes, with ValidationException', async () => {
    for (const FlexibleTimeWindow of [undefined, { Mode: 'FLEXIBLE' as const }, { Mode: 'SOMETIMES' as never }]) {
      const error = await rejection(client.send(new CreateScheduleCommand(expiry(sessionId(), Date.now() + 60_000, { FlexibleTimeWindow: FlexibleTimeWindow as never }))));
      expect(error).toBeInstanceOf(ValidationException);
    }
  });

  it('never runs a DISABLED schedule; UpdateSchedule enabling it runs it', async () => {
    const id = sessionId();
    const input = expiry(id, Date.now() - 1_000, { State: 'DISABLED' });
    await client.send(new CreateScheduleCommand(input));
    await sleep(300);
    expect(runsOf(id)).toHaveLength(0);
    expect(sandbox.scheduler.schedule(`expire-${id}`, GROUP)).toMatchObject({ state: 'disabled', enabled: false });

    await client.send(new UpdateScheduleCommand({ ...input, State: 'ENABLED' }));
    await waitForRun(id);
    expect(await rejection(client.send(new GetScheduleCommand({ Name: `expire-${id}`, GroupName: GROUP })))).toBeInstanceOf(ResourceNotFoundException);
    // Updating a schedule that does not exist.
    expect(await rejection(client.send(new UpdateScheduleCommand(input)))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('lists schedules by group and name prefix, page by page', async () => {
    const prefix = `list-${sessionId().slice(0, 8)}`;
    const names = [0, 1, 2].map((i) => `${prefix}-${i}`);
    for (const Name of names) await client.send(new CreateScheduleCommand({ ...expiry('x', Date.now() + 3_600_000), Name }));
    await client.send(new CreateScheduleCommand({ ...expiry('x', Date.now() + 3_600_000), Name: `${prefix}-9`, GroupName: 'other' }));

    const first = await client.send(new ListSchedulesCommand({ GroupName: GROUP, NamePrefix: prefix, MaxResults: 2 }));
    expect(first.Schedules!.map((s) => s.Name)).toEqual(names.slice(0, 2));
    expect(first.Schedules![0]).toMatchObject({ GroupName: GROUP, State: 'ENABLED', Target: { Arn: sandboxFunctionArn('target') } });
    const second = await client.send(new ListSchedulesCommand({ GroupName: GROUP, NamePrefix: prefix, MaxResults: 2, NextToken: first.NextToken }));
    expect(second.Schedules!.map((s) => s.Name)).toEqual(names.slice(2));
    expect(second.NextToken).toBeUndefined();
    const everywhere = await client.send(new ListSchedulesCommand({ NamePrefix: prefix }));
    expect(everywhere.Schedules!.map((s) => `${s.GroupName}/${s.Name}`)).toEqual([`other/${prefix}-9`, ...names.map((n) => `${GROUP}/${n}`)]);

    for (const Name of names) await client.send(new DeleteScheduleCommand({ Name, GroupName: GROUP }));
    await client.send(new DeleteScheduleCommand({ Name: `${prefix}-9`, GroupName: 'other' }));
  });

  it('gives functions AWS_ENDPOINT_URL_SCHEDULER: the SDK in a function creates schedules with no other configuration', async () => {
    const id = sessionId();
    const at = wholeSecondAhead();
    const outcome = await sandbox.functions.get('target')!.invoke({ do: 'schedule', create: expiry(id, at) }, 5_000);
    expect(outcome).toEqual({
      status: 'ok',
      result: { endpoint: sandbox.schedulerEndpoint, arn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${GROUP}/expire-${id}` },
    });
    const [run] = await waitForRun(id);
    expect(run!.at - at).toBeLessThan(PUNCTUALITY_MS);
  });

  it('speaks REST-JSON errors on the wire: x-amzn-ErrorType and {"Message"}; unsigned requests get 403', async () => {
    const missing = await rawRequest(`${sandbox.schedulerEndpoint}/schedules/nope?groupName=${GROUP}`, { headers: SIGNED });
    expect(missing.status).toBe(404);
    expect(missing.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(JSON.parse(missing.body)).toEqual({ Message: 'Schedule nope does not exist.' });
    const unsigned = await rawRequest(`${sandbox.schedulerEndpoint}/schedules/nope?groupName=${GROUP}`);
    expect(unsigned.status).toBe(403);
    const unknown = await rawRequest(`${sandbox.schedulerEndpoint}/tags/arn`, { headers: SIGNED });
    expect(unknown.status).toBe(404);
    expect(unknown.headers['x-amzn-errortype']).toBe('UnknownOperationException');
  });

  it('runNow() runs a schedule before its time, as a timed run would', async () => {
    const id = sessionId();
    await client.send(new CreateScheduleCommand(expiry(id, Date.now() + 3_600_000)));
    const outcome = await sandbox.scheduler.runNow(`expire-${id}`, GROUP);
    expect(outcome).toEqual({ status: 'ok', result: { ok: true } });
    expect(runsOf(id)).toHaveLength(1);
    expect(sandbox.scheduler.schedule(`expire-${id}`, GROUP)).toBeUndefined();
  });
});

describe('sandbox scheduler emulator life cycle', () => {
  it('stop() clears the timers: a schedule due after stop never runs', async () => {
    const sandbox = await startSandbox({ port: 0, functions: { target: { source: file('scheduled') } }, routes: {} });
    const client = new SchedulerClient({ endpoint: sandbox.schedulerEndpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      await client.send(new CreateScheduleCommand(expiry(sessionId(), wholeSecondAhead(), { GroupName: undefined })));
      expect(sandbox.scheduler.schedules()).toHaveLength(1);
      expect(sandbox.scheduler.schedules()[0]!.group).toBe('default');
    } finally {
      client.destroy();
      await sandbox.stop();
    }
    // Its timer is cleared: no run is due any more.
    expect(sandbox.scheduler.schedules()[0]!.nextFireAt).toBeUndefined();
    await sleep(1_300);
    expect(sandbox.scheduler.counters.fired).toBe(0);
    expect(sandbox.scheduler.firings()).toHaveLength(0);
    // The server is closed.
    const refused = await rawRequest(`${sandbox.schedulerEndpoint}/schedules`, { headers: SIGNED }).catch((error: NodeJS.ErrnoException) => error);
    expect(refused).toHaveProperty('code', 'ECONNREFUSED');
  });

  it('runs a declared recurring schedule (as Terraform creates the sweeper schedule) every periodMs, never two runs at once', async () => {
    const logs = new LogCapture();
    const sandbox = await startSandbox({
      port: 0,
      functions: { target: { source: file('scheduled') } },
      routes: {},
      scheduleGroups: [GROUP],
      // Each run outlasts the period: a timer of the period alone would start the next one during it.
      schedules: [{ name: 'stack-sweeper', group: GROUP, expression: 'rate(1 minute)', function: 'target', input: { do: 'wait', ms: 150 }, periodMs: 20 }],
      onLog: logs.sink,
    });
    const client = new SchedulerClient({ endpoint: sandbox.schedulerEndpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      const described = await client.send(new GetScheduleCommand({ Name: 'stack-sweeper', GroupName: GROUP }));
      expect(described).toMatchObject({
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: sandboxFunctionArn('target'), RoleArn: SANDBOX_SCHEDULER_ROLE_ARN, Input: JSON.stringify({ do: 'wait', ms: 150 }) },
      });
      const deadline = Date.now() + 5_000;
      while (logs.records('target').filter((r) => r.fixture === 'scheduled-done').length < 3) {
        if (Date.now() > deadline) throw new Error('the declared schedule did not run three times');
        await sleep(20);
      }
    } finally {
      client.destroy();
      await sandbox.stop();
    }
    const records = logs.records('target').filter((r) => r.fixture === 'scheduled' || r.fixture === 'scheduled-done');
    // Started, ended, started, ended, …: each run starts after the previous one ended.
    expect(records.map((r) => r.fixture).slice(0, 6)).toEqual(['scheduled', 'scheduled-done', 'scheduled', 'scheduled-done', 'scheduled', 'scheduled-done']);
    expect(records[0]!.event).toEqual({ do: 'wait', ms: 150 });
    expect(sandbox.scheduler.schedule('stack-sweeper', GROUP)).toMatchObject({ expression: 'rate(1 minute)', targetArn: sandboxFunctionArn('target') });
  });

  it('refuses a declared schedule whose target is not one of its functions, and stops what it had started', async () => {
    let stops = 0;
    const owned = { stop: async () => void (stops += 1) };
    const failed = startSandbox({
      port: 0,
      functions: { target: { source: file('scheduled') } },
      routes: {},
      schedules: [{ name: 'sweeper', expression: 'rate(1 minute)', function: 'missing', input: {} }],
      owns: [owned],
    });
    await expect(failed).rejects.toThrow(/no function named "missing"/);
    expect(stops).toBe(1);
  });

  it('stop() stops everything once, the parts it owns last; a second call changes nothing', async () => {
    const order: string[] = [];
    const sandbox = await startSandbox({
      port: 0,
      functions: { target: { source: file('scheduled') } },
      routes: {},
      owns: [{ stop: async () => void order.push('owned') }],
    });
    const target = sandbox.functions.get('target')!;
    const stopTarget = target.stop.bind(target);
    target.stop = async () => {
      order.push('function');
      await stopTarget();
    };
    await Promise.all([sandbox.stop(), sandbox.stop()]);
    await sandbox.stop();
    expect(order).toEqual(['function', 'owned']);
    const refused = await rawRequest(`${sandbox.schedulerEndpoint}/schedules`, { headers: SIGNED }).catch((error: NodeJS.ErrnoException) => error);
    expect(refused).toHaveProperty('code', 'ECONNREFUSED');
  });

  it('refuses a schedule group declared twice, or named default', async () => {
    await expect(startSandbox({ port: 0, functions: {}, routes: {}, scheduleGroups: ['a', 'a'] })).rejects.toThrow(/declared twice/);
    await expect(startSandbox({ port: 0, functions: {}, routes: {}, scheduleGroups: ['default'] })).rejects.toThrow(/declared twice/);
    await expect(startSandbox({ port: 0, functions: {}, routes: {}, scheduleGroups: ['bad group'] })).rejects.toThrow(/schedule group/);
  });
});
