import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { isSigned, readJsonObject, replyJson, type Json } from '../aws-json';
import { constraint, SchedulerError, validation } from './errors';
import { checkName, DEFAULT_SCHEDULE_GROUP, describeSchedule, groupArn, oneOf, sandboxScheduleArn, seconds, type Scheduler } from './schedules';

/** The EventBridge Scheduler emulator's HTTP protocol: REST-JSON, as @aws-sdk/client-scheduler v3 sends it. */

const MAX_REQUEST_BYTES = 1024 * 1024;

const readInput = (req: IncomingMessage): Promise<Json> =>
  readJsonObject(req, MAX_REQUEST_BYTES, (problem) =>
    validation(
      problem === 'too_large'
        ? `The request is larger than ${MAX_REQUEST_BYTES} bytes.`
        : problem === 'not_json'
          ? 'The request body is not valid JSON.'
          : 'The request body must be a JSON object.',
    ),
  );

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw validation(`Malformed path segment ${segment}.`);
  }
}

const SUPPORTED = 'CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule, ListSchedules, GetScheduleGroup, ListScheduleGroups';

function listSchedules(scheduler: Scheduler, query: URLSearchParams): Json {
  const group = query.get('ScheduleGroup') ?? undefined;
  if (group !== undefined) {
    checkName(group, 'groupName');
    if (!scheduler.groups.includes(group)) throw new SchedulerError('ResourceNotFoundException', `Schedule group ${group} does not exist.`);
  }
  const prefix = query.get('NamePrefix') ?? undefined;
  const state = oneOf(query.get('State') ?? undefined, ['ENABLED', 'DISABLED'] as const, 'state');
  const maxText = query.get('MaxResults');
  const max = maxText === null ? 100 : Number(maxText);
  if (!Number.isInteger(max) || max < 1 || max > 100) throw constraint(maxText, 'maxResults', 'Member must have value between 1 and 100');
  const token = query.get('NextToken');
  const offset = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw validation('Invalid NextToken.');
  const matching = scheduler
    .list()
    .filter((s) => (group === undefined || s.group === group) && (prefix === undefined || s.name.startsWith(prefix)) && (state === undefined || s.state === state));
  const page = matching.slice(offset, offset + max);
  return {
    Schedules: page.map((s) => ({
      Arn: sandboxScheduleArn(s.group, s.name),
      Name: s.name,
      GroupName: s.group,
      State: s.state,
      CreationDate: seconds(s.createdAt),
      LastModificationDate: seconds(s.modifiedAt),
      Target: { Arn: s.target.Arn },
    })),
    ...(offset + max < matching.length && { NextToken: Buffer.from(String(offset + max)).toString('base64url') }),
  };
}

function groupSummary(name: string, startedAt: number): Json {
  return { Arn: groupArn(name), Name: name, State: 'ACTIVE', CreationDate: seconds(startedAt), LastModificationDate: seconds(startedAt) };
}

async function route(req: IncomingMessage, scheduler: Scheduler, startedAt: number): Promise<Json> {
  if (!isSigned(req)) throw new SchedulerError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const url = new URL(req.url ?? '/', 'http://scheduler');
  const segments = url.pathname.split('/').slice(1);
  const method = req.method ?? 'GET';
  const body = method === 'POST' || method === 'PUT' ? await readInput(req) : {};
  const [collection, rawName, ...rest] = segments;
  if (rest.length === 0 && collection === 'schedules') {
    if (rawName === undefined || rawName === '') {
      if (method === 'GET') return listSchedules(scheduler, url.searchParams);
    } else {
      const name = decodeSegment(rawName);
      const group = url.searchParams.get('groupName') ?? DEFAULT_SCHEDULE_GROUP;
      if (method === 'POST') return scheduler.create(name, body);
      if (method === 'PUT') return scheduler.update(name, body);
      if (method === 'GET') return describeSchedule(scheduler.find(name, group));
      if (method === 'DELETE') return scheduler.delete(name, group);
    }
  }
  if (rest.length === 0 && collection === 'schedule-groups') {
    if ((rawName === undefined || rawName === '') && method === 'GET') {
      const prefix = url.searchParams.get('NamePrefix') ?? '';
      return { ScheduleGroups: scheduler.groups.filter((g) => g.startsWith(prefix)).map((g) => groupSummary(g, startedAt)) };
    }
    if (rawName !== undefined && rawName !== '' && method === 'GET') {
      const name = decodeSegment(rawName);
      checkName(name, 'name');
      if (!scheduler.groups.includes(name)) throw new SchedulerError('ResourceNotFoundException', `Schedule group ${name} does not exist.`);
      return groupSummary(name, startedAt);
    }
    if (method === 'POST' || method === 'DELETE') {
      throw new SchedulerError('UnknownOperationException', `The sandbox's scheduler declares its schedule groups at start (SandboxOptions.scheduleGroups). Supported: ${SUPPORTED}.`);
    }
  }
  throw new SchedulerError('UnknownOperationException', `${method} ${url.pathname} is not served by the sandbox's scheduler. Supported: ${SUPPORTED}.`);
}

async function serve(req: IncomingMessage, res: ServerResponse, scheduler: Scheduler, startedAt: number): Promise<void> {
  const requestId = randomUUID();
  try {
    const output = await route(req, scheduler, startedAt);
    replyJson(res, { status: 200, requestId, body: output });
  } catch (error) {
    const known = error instanceof SchedulerError ? error : new SchedulerError('InternalServerException', error instanceof Error ? error.message : String(error));
    replyJson(res, { status: known.status, requestId, errorType: known.code, body: { Message: known.message } });
  }
}

/** The request listener of the emulator's HTTP server: the REST-JSON protocol of `@aws-sdk/client-scheduler` v3. */
export function schedulerRequestListener(scheduler: Scheduler, startedAt: number): RequestListener {
  return (req, res) => void serve(req, res, scheduler, startedAt);
}

