import {
  DependencyError,
  idTimeMs,
  isTerminal,
  type JobStore,
  keys,
  ProjectLock,
  projectOf,
  type Storage,
  TooManyRequestsError,
} from '@trainyard/shared';
import { z } from 'zod';

/** `Retry-After` of a refused create: a short job's length; the caller may also cancel one. */
const RETRY_AFTER_S = 30;
/**
 * A job with a spec but no `job.created` event older than this is a create cut short (the
 * process died between the two writes): it never runs, so it is not counted. Younger, it may be
 * a create still under way in another process, and counts.
 */
const CUT_SHORT_AFTER_MS = 60_000;
/** Conditional writes lost to other API processes before a create gives up (503). */
const MAX_ATTEMPTS = 8;

/** `projects/<id>/admissions.json`: the jobs admitted in the last `CUT_SHORT_AFTER_MS`. */
const admissionsSchema = z.object({
  admitted: z.array(z.object({ id: z.string(), at: z.number() })),
});

/**
 * PROJECT_MAX_ACTIVE_JOBS: how many jobs a project has queued or running (any status not yet
 * succeeded, failed or cancelled), and creation refused at the limit.
 *
 * The count is always taken from the jobs themselves, never from a counter of its own: one LIST
 * of the job folders, then the status folded only for the project's jobs not already seen
 * ended. What is cached in memory is only what can never change: a job's project (its spec is
 * written once) and that a job has ended (the first terminal event wins, for good). So a crash,
 * a trainer that ends a job in another process, or a cancel all show in the next count, and
 * nothing can leave the count stuck, as a stored counter updated on create and on terminal
 * events could when a process dies between the two writes. A create cut short between its spec
 * and its first event leaves a job that never runs: past a minute it is not counted either. After the first count in a process,
 * a create costs the LIST pages and one fold per active job of the project (at most the limit),
 * not one per job ever created.
 */
export class ProjectActiveJobs {
  private readonly projectOfJob = new Map<string, string>();
  private readonly ended = new Set<string>();
  private readonly lock = new ProjectLock();

  /** `max`: PROJECT_MAX_ACTIVE_JOBS; 0 means no limit (nothing is counted). */
  constructor(
    private readonly store: JobStore,
    private readonly storage: Storage,
    private readonly max: number,
  ) {}

  /** Ids of `project`'s jobs that have not ended, oldest first. Throws `StorageError` when S3 fails. */
  async active(project: string): Promise<string[]> {
    const active: string[] = [];
    for await (const id of this.store.allIds()) {
      if (this.ended.has(id)) continue;
      let owner = this.projectOfJob.get(id);
      if (owner === undefined) {
        const spec = await this.store.spec(id);
        // No spec yet: a create cut short (or not finished) in another process; not a job.
        if (!spec) continue;
        owner = projectOf(spec);
        this.projectOfJob.set(id, owner);
      }
      if (owner !== project) continue;
      const state = await this.store.state(id);
      if (isTerminal(state.status)) this.ended.add(id);
      else if (state.created_at !== null || Date.now() - idTimeMs(id) < CUT_SHORT_AFTER_MS)
        active.push(id);
    }
    return active;
  }

  /**
   * Runs `create` (which stores job `jobId`) when `project` has fewer than the limit's active
   * jobs. In one process, one create at a time per project. Across API processes (Lambda runs
   * many), each admission is also written to `projects/<id>/admissions.json` with a conditional
   * PUT of the version the count was taken against: when another process admitted a job
   * meanwhile, the PUT fails and the count is taken again, now seeing that job (from the record,
   * even before its spec is written). So no two processes can both take the last slot.
   * Throws `TooManyRequestsError` (429 `too_many_active_jobs`, `Retry-After`) at the limit, and
   * `DependencyError` (503) when other processes won the record `MAX_ATTEMPTS` times in a row.
   */
  async admit<T>(project: string, jobId: string, create: () => Promise<T>): Promise<T> {
    if (this.max === 0) return create();
    const key = keys.projectAdmissions(project);
    return this.lock.run(project, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const record = await this.storage.tryGetJsonTagged(key, admissionsSchema);
        const now = Date.now();
        const recent = (record?.value.admitted ?? []).filter(
          (a) => now - a.at < CUT_SHORT_AFTER_MS,
        );
        const active = new Set(await this.active(project));
        for (const a of recent) if (!this.ended.has(a.id)) active.add(a.id);
        if (active.size >= this.max) {
          throw new TooManyRequestsError(
            `Project ${project} has ${active.size} jobs queued or running; a project may have at most ${this.max} at once (PROJECT_MAX_ACTIVE_JOBS). Retry once one has ended, or cancel one`,
            RETRY_AFTER_S,
            { code: 'too_many_active_jobs' },
          );
        }
        const admitted = [...recent, { id: jobId, at: now }];
        if (await this.storage.putJsonIf(key, { admitted }, record?.etag)) return create();
      }
      throw new DependencyError(
        `Other API processes kept admitting jobs of project ${project}; retry`,
        { code: 'admission_contention' },
      );
    });
  }
}
