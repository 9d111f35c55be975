/**
 * Runs work one at a time per project within this process: a limit's check and the write it
 * admits (a job's spec, a dataset's record) happen together, so two requests of one project at
 * once cannot both pass a limit that has room for one. Other processes (several API functions
 * over one bucket) are not serialized by it: there a limit can be passed by the requests that
 * raced, at most one per process.
 */
export class ProjectLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once every earlier `run` of `project` has ended; answers (or throws) what it does. */
  async run<T>(project: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(project) ?? Promise.resolve();
    const mine = before.catch(() => {}).then(work);
    const tail = mine.catch(() => {});
    this.tails.set(project, tail);
    try {
      return await mine;
    } finally {
      if (this.tails.get(project) === tail) this.tails.delete(project);
    }
  }
}
