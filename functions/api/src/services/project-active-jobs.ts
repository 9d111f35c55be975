import {
  idTimeMs,
  isTerminal,
  type JobStore,
  ProjectLock,
  projectOf,
  TooManyRequestsError,
} from '@trainyard/shared';

/** `Retry-After` of a refused create: a short job's length; the caller may also cancel one. */
const RETRY_AFTER_S = 30;
/**
 * A job with a spec but no `job.created` event older than this is a create cut short (the
 * process died between the two writes): it never runs, so it is not counted. Younger, it may be
 * a create still under way in another process, and counts.
 */
const CUT_SHORT_AFTER_MS = 60_000;

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
   * Runs `create` (which stores the new job) when `project` has fewer than the limit's active
   * jobs; one at a time per project, so concurrent creates cannot pass the limit together.
   * Throws `TooManyRequestsError` (429 `too_many_active_jobs`, `Retry-After`) at the limit.
   */
  async admit<T>(project: string, create: () => Promise<T>): Promise<T> {
    if (this.max === 0) return create();
    return this.lock.run(project, async () => {
      const active = await this.active(project);
      if (active.length >= this.max) {
        throw new TooManyRequestsError(
          `Project ${project} has ${active.length} jobs queued or running; a project may have at most ${this.max} at once (PROJECT_MAX_ACTIVE_JOBS). Retry once one has ended, or cancel one`,
          RETRY_AFTER_S,
          { code: 'too_many_active_jobs' },
        );
      }
      return create();
    });
  }
}
