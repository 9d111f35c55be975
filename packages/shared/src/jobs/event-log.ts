import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { unixSeconds } from '../ids';
import { type JobEvent, jobEventSchema } from '../schemas/job-events';
import { keys, type Storage } from '../storage';

export type NewJobEvent = Pick<JobEvent, 'type' | 'message'> &
  Partial<Pick<JobEvent, 'level' | 'data'>>;

/**
 * A job's state is an append-only log in S3: one object per event under
 * `jobs/<id>/events/`, each key written once by one writer, never read-modified-written. Ids
 * sort by time, then writer, then that writer's sequence number, so a listing is the log in order.
 * Works on any S3 server (no conditional writes needed).
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

  async append(jobId: string, event: NewJobEvent): Promise<JobEvent> {
    const now = Date.now();
    const id = `evt_${now.toString(36).padStart(9, '0')}_${this.writer}_${String(++this.seq).padStart(6, '0')}`;
    const full: JobEvent = {
      id,
      object: 'fine_tuning.job.event',
      created_at: unixSeconds(new Date(now)),
      level: event.level ?? 'info',
      type: event.type,
      message: event.message,
      data: event.data ?? null,
    };
    await this.storage.putJson(`${keys.jobEvents(jobId)}${id}.json`, full);
    return full;
  }

  /** Events in order; `after` an event id. `limit` caps how many (default all). */
  async list(jobId: string, options: { after?: string; limit?: number } = {}): Promise<JobEvent[]> {
    const prefix = keys.jobEvents(jobId);
    const out: JobEvent[] = [];
    const keysFound: string[] = [];
    for await (const object of this.storage.list(
      prefix,
      options.after ? { startAfter: `${prefix}${options.after}.json` } : {},
    )) {
      keysFound.push(object.key);
      if (options.limit && keysFound.length >= options.limit) break;
    }
    // Fetch in parallel, keep the order of the listing.
    const events = await Promise.all(
      keysFound.map((k) => this.storage.tryGetJson(k, jobEventSchema)),
    );
    for (const e of events) if (e) out.push(e);
    return out;
  }
}

export const jobEventListSchema = z.array(jobEventSchema);
