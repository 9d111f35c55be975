import { z } from 'zod';
import { inProject, type ProjectPage, projectPage } from '../auth';
import { NotFoundError } from '../errors';
import { isId } from '../ids';
import { isTerminal } from '../schemas/job-events';
import { type JobSpec, jobSpecSchema } from '../schemas/jobs';
import { keys, listFolderIds, prefixes, type Storage } from '../storage';
import type { JobEventLog, JobEventRef } from './event-log';
import { EVENT_TYPES_WITH_STATE, foldJobEvents, type JobState, type ListedJobEvent } from './fold';

/** A job as stored: its spec and the fold of its events. */
export interface StoredJob {
  readonly spec: JobSpec;
  readonly state: JobState;
}

/** `jobs/<id>/webhook.json`: the signing secret, kept apart from the spec the trainer reads. */
export const webhookSecretSchema = z.object({ secret: z.string() });

/** Where the id is not a job id, or no spec exists. */
export function jobNotFound(id: string, param = 'id'): NotFoundError {
  return new NotFoundError(`No fine-tuning job with id ${JSON.stringify(id)}`, {
    param,
    code: 'job_not_found',
  });
}

/** Reads jobs: specs, and their status folded from the event log. */
export class JobStore {
  constructor(
    readonly storage: Storage,
    readonly log: JobEventLog,
  ) {}

  /**
   * Stores a validated job as the API does: the spec, the webhook secret, then `job.created`
   * and `job.queued`. The caller hands it to a queue afterwards.
   */
  async create(spec: JobSpec, webhookSecret?: string): Promise<void> {
    await this.storage.putJson(keys.jobSpec(spec.id), spec);
    if (spec.webhook && webhookSecret) {
      await this.storage.putJson(keys.jobWebhookSecret(spec.id), { secret: webhookSecret });
    }
    await this.log.append(spec.id, {
      type: 'job.created',
      message: `Created fine-tuning job ${spec.id}`,
      data: { webhook: spec.webhook !== null },
    });
    await this.log.append(spec.id, { type: 'job.queued', message: 'Queued' });
  }

  /** The spec; undefined for no such job, or (with `project`) another project's job. */
  async spec(id: string, project?: string): Promise<JobSpec | undefined> {
    if (!/^ftjob_[0-9a-z]+$/.test(id)) return undefined;
    const spec = await this.storage.tryGetJson(keys.jobSpec(id), jobSpecSchema);
    return spec && (project === undefined || inProject(spec, project)) ? spec : undefined;
  }

  /**
   * The job's state from one listing of its events, reading only the bodies the fold needs
   * (a job with hundreds of epochs costs one LIST and a few GETs, not hundreds).
   */
  async state(id: string): Promise<JobState> {
    const refs = await this.log.refs(id);
    const needed = refs.filter((r) => EVENT_TYPES_WITH_STATE.has(r.type));
    const bodies = new Map((await this.log.read(needed)).map((e) => [e.id, e]));
    return foldJobEvents(refs.map((r) => bodies.get(r.id) ?? stub(r)));
  }

  /**
   * The job; `jobNotFound` (404) for no such job or, with `project`, another project's job, so
   * that its events, reports and cancel answer exactly as for a missing id.
   */
  async get(id: string, project?: string): Promise<StoredJob> {
    const spec = await this.spec(id, project);
    if (!spec) throw jobNotFound(id);
    return { spec, state: await this.state(id) };
  }

  /**
   * A page of `project`'s jobs, oldest first (`after`: the previous page's `last_id`); a folder
   * without a spec (a write cut short) is skipped. States are folded by the caller.
   */
  async page(project: string, limit: number, after?: string): Promise<ProjectPage<JobSpec>> {
    return projectPage({
      storage: this.storage,
      prefix: prefixes.jobs,
      kind: 'ftjob',
      project,
      limit,
      after,
      read: (id) => this.spec(id),
    });
  }

  /** Job ids in creation order (ids sort by time); `after` is the last id of the previous page. */
  async ids(limit: number, after?: string): Promise<{ ids: string[]; hasMore: boolean }> {
    return listFolderIds(this.storage, prefixes.jobs, {
      limit,
      after,
      isId: (name) => isId('ftjob', name),
      folder: keys.job,
    });
  }

  /**
   * Ids (oldest first) of `project`'s jobs that are not finished (queued, running, …) and train
   * or validate on dataset `datasetId` (`dataset` or `validation_dataset`). Reads every job spec
   * of the project and the state of those that use it: deleting a dataset is rare.
   */
  async unfinishedUsing(datasetId: string, project: string): Promise<string[]> {
    const using: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.page(project, 100, after);
      for (const spec of page.data) {
        if (spec.dataset !== datasetId && spec.validation_dataset !== datasetId) continue;
        if (!isTerminal((await this.state(spec.id)).status)) using.push(spec.id);
      }
      if (!page.has_more || !page.last_id) return using;
      after = page.last_id;
    }
  }

  /** Every job id, oldest first. */
  async *allIds(): AsyncGenerator<string> {
    let after: string | undefined;
    for (;;) {
      const { ids, hasMore } = await this.ids(1000, after);
      yield* ids;
      if (!hasMore || ids.length === 0) return;
      after = ids.at(-1);
    }
  }

  async webhookSecret(id: string): Promise<string | undefined> {
    return (await this.storage.tryGetJson(keys.jobWebhookSecret(id), webhookSecretSchema))?.secret;
  }
}

function stub(ref: JobEventRef): ListedJobEvent {
  return { id: ref.id, created_at: ref.created_at, type: ref.type, message: '', data: null };
}
