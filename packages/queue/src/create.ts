import { BatchClient } from '@aws-sdk/client-batch';
import {
  type Config,
  JobEventLog,
  JobStore,
  type Logger,
  OutboundGuard,
  type Storage,
} from '@trainyard/shared';
import { BatchQueue } from './batch';
import type { JobQueue } from './job-queue';
import { StoredQueue } from './stored';
import { WebhookNotifier } from './webhooks';

/**
 * The queue an API process uses when it is not handed one: AWS Batch for `QUEUE=batch`, else
 * the S3-only view of the local queue (a runner in another process, or the next `npm start`,
 * runs the job). `npm start` hands the API its `LocalRunner` instead.
 */
export function createApiQueue(deps: {
  config: Config;
  storage: Storage;
  logger: Logger;
}): JobQueue {
  const { config, storage, logger } = deps;
  const store = new JobStore(storage, new JobEventLog(storage, 'api'));
  if (config.queue.kind === 'batch') {
    const log = new JobEventLog(storage, 'batch');
    return new BatchQueue({
      client: new BatchClient({ region: config.s3.region }),
      store,
      log,
      logger,
      jobQueue: config.queue.jobQueue,
      jobDefinition: config.queue.jobDefinition,
      webhooks: new WebhookNotifier({
        store,
        log: new JobEventLog(storage, 'webhooks'),
        logger,
        outbound: new OutboundGuard({ allow: config.outbound.allow }),
      }),
    });
  }
  return new StoredQueue(store, new JobEventLog(storage, 'api'));
}
