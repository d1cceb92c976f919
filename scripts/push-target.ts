/**
 * Which fan-out queue `npm run push` writes to: a deployed stack's (`--queue-url`, or FANOUT_QUEUE_URL:
 * the module's `fanout_queue_url` output), checked before anything is sent, or else the running
 * sandbox's.
 */

/** A queue URL or region `npm run push` cannot use: says what is wrong and what to give instead. */
export class PushTargetError extends Error {
  override readonly name = 'PushTargetError';
}

export interface DeployedQueue {
  queueUrl: string;
  /** `--region`, else the one the URL's AWS host names; undefined: the SDK's chain (AWS_REGION, the profile). */
  region: string | undefined;
}

const EXAMPLE = 'https://sqs.<region>.amazonaws.com/<account id>/<name>.fifo, the module\'s fanout_queue_url output';
/** `/{12-digit account}/{queue name}`: SQS names are 1–80 characters of A–Z a–z 0–9 _ -, a FIFO queue's ending in `.fifo`. */
const QUEUE_PATH = /^\/(\d{12})\/([A-Za-z0-9_-]{1,75}(\.fifo)?)$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** `sqs.{region}.amazonaws.com` (and .com.cn), or the legacy `{region}.queue.amazonaws.com`. */
const AWS_HOST = /^(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com(?:\.cn)?$/;

/**
 * Checks a deployed stack's queue URL and region.
 *
 * @example
 * deployedQueue({ queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/chat-fanout.fifo' });
 * // { queueUrl: '…', region: 'eu-west-1' }
 */
export function deployedQueue({ queueUrl, region }: { queueUrl: string; region?: string }): DeployedQueue {
  let url: URL;
  try {
    url = new URL(queueUrl);
  } catch {
    throw new PushTargetError(`queue URL ${JSON.stringify(queueUrl)} is not a URL: give ${EXAMPLE}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PushTargetError(`queue URL ${queueUrl} is not http(s): give ${EXAMPLE}`);
  const path = QUEUE_PATH.exec(url.pathname);
  if (!path || url.search !== '' || url.hash !== '') throw new PushTargetError(`queue URL ${queueUrl} does not name a queue (/<12-digit account id>/<queue name>): give ${EXAMPLE}`);
  if (path[3] === undefined) throw new PushTargetError(`queue ${path[2]} is not FIFO: the fan-out queue's name ends in .fifo (${EXAMPLE})`);
  if (region !== undefined && !REGION.test(region)) throw new PushTargetError(`region ${JSON.stringify(region)} is not an AWS region name such as eu-west-1`);
  const host = AWS_HOST.exec(url.hostname);
  const hostRegion = host?.[1] ?? host?.[2];
  if (hostRegion !== undefined && region !== undefined && region !== hostRegion) {
    throw new PushTargetError(`the queue is in ${hostRegion} (its URL says so), not in --region ${region}`);
  }
  return { queueUrl, region: region ?? hostRegion };
}
