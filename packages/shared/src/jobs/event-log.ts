import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { fromZodError, ValidationError } from '../errors';
import { unixSeconds } from '../ids';
import {
  JOB_EVENT_TYPES,
  type JobEvent,
  type JobEventType,
  jobEventSchema,
  type NewJobEvent,
} from '../schemas/job-events';
import { keys, type Storage } from '../storage';

export type { NewJobEvent };

/** An event as a listing names it, before its body is read. */
export interface JobEventRef {
  readonly id: string;
  readonly type: string;
  /** Unix seconds, from the time part of the id. */
  readonly created_at: number;
  readonly key: string;
}

const TYPE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;
/** A job event's id: `evt_<time>_<writer>_<sequence>` (what `append` writes). */
export const EVENT_ID_PATTERN = /^evt_[0-9a-z]+_[a-z0-9-]+_[0-9]+$/;
// `<event id>.<type>.json`: the type sits in the key so that a listing alone tells a job's status.
const KEY = /^(evt_[0-9a-z]+_[a-z0-9-]+_[0-9]+)\.([a-z0-9_.]+)\.json$/;

/**
 * A job's state is an append-only log in S3: one object per event under
 * `jobs/<id>/events/<event id>.<type>.json`, each key written once by one writer, never
 * read-modified-written. Ids sort by time, then writer, then that writer's sequence number, so a
 * listing is the log in order. Works on any S3 server (no conditional writes needed).
 */
export class JobEventLog {
  private seq = 0;
  private readonly writer: string;

  /** @param writer short name of this process (`api`, `runner`, `train-a1`), part of each id. */
  constructor(
    private readonly storage: Storage,
    writer: string,
  ) {
    this.writer = `${writer.replace(/[^a-z0-9-]/gi, '').slice(0, 16)}-${randomBytes(3).toString('hex')}`;
  }

  /**
   * Writes one event: `data` is checked against its type's schema (`jobEventDataSchemas`) as it
   * will be stored (JSON: a `NaN` becomes `null`). Throws a `ValidationError` (`param` `type` or
   * `data…`) for an unknown type or data that does not match, writing nothing. Returns the event
   * as stored.
   */
  async append(jobId: string, event: NewJobEvent): Promise<JobEvent> {
    if (!TYPE.test(event.type) || !JOB_EVENT_TYPES.includes(event.type as JobEventType)) {
      throw new ValidationError(
        `event type ${JSON.stringify(event.type)} is not one of the job event types (dotted lower-case words such as job.started; see jobEventDataSchemas)`,
        { param: 'type' },
      );
    }
    const now = Date.now();
    const id = `evt_${now.toString(36).padStart(9, '0')}_${this.writer.toLowerCase()}_${String(++this.seq).padStart(6, '0')}`;
    const parsed = jobEventSchema.safeParse(
      JSON.parse(
        JSON.stringify({
          id,
          object: 'fine_tuning.job.event',
          created_at: unixSeconds(new Date(now)),
          level: event.level ?? 'info',
          type: event.type,
          message: event.message,
          data: event.data ?? null,
        }),
      ),
      { reportInput: true },
    );
    if (!parsed.success) throw fromZodError(parsed.error, `${event.type} event`);
    await this.storage.putJson(keys.jobEvent(jobId, id, event.type), parsed.data);
    return parsed.data;
  }

  /** The events' ids and types in log order, from the listing alone (no bodies read). */
  async refs(
    jobId: string,
    options: { after?: string; limit?: number } = {},
  ): Promise<JobEventRef[]> {
    const prefix = keys.jobEvents(jobId);
    const out: JobEventRef[] = [];
    // `~` sorts after every character of a type, so this starts past every key of `after`.
    const startAfter = options.after ? `${prefix}${options.after}.~` : undefined;
    for await (const object of this.storage.list(prefix, startAfter ? { startAfter } : {})) {
      const match = KEY.exec(object.key.slice(prefix.length));
      if (!match) continue;
      const id = match[1]!;
      const ms = Number.parseInt(id.slice(4, id.indexOf('_', 4)), 36);
      out.push({ id, type: match[2]!, created_at: Math.floor(ms / 1000), key: object.key });
      if (options.limit && out.length >= options.limit) break;
    }
    return out;
  }

  /** Reads the bodies of `refs`, in parallel, keeping their order. */
  async read(refs: readonly JobEventRef[]): Promise<JobEvent[]> {
    const out: JobEvent[] = [];
    for (let i = 0; i < refs.length; i += 32) {
      const chunk = await Promise.all(
        refs.slice(i, i + 32).map((r) => this.storage.tryGetJson(r.key, jobEventSchema)),
      );
      for (const e of chunk) if (e) out.push(e);
    }
    return out;
  }

  /** Events in order; `after` an event id. `limit` caps how many (default all). */
  async list(jobId: string, options: { after?: string; limit?: number } = {}): Promise<JobEvent[]> {
    return this.read(await this.refs(jobId, options));
  }
}

export const jobEventListSchema = z.array(jobEventSchema);
