import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { unixSeconds } from '../ids';
import { keys, prefixes, type Storage } from '../storage';

/**
 * The project every install starts with. Data written before projects existed carries no
 * `project` field and is read as belonging to this one (see `projectOf`).
 */
export const DEFAULT_PROJECT = 'default';

/** A project id: 2-40 characters, lower-case letters, digits and `-`, starting with a letter. */
export const PROJECT_ID_PATTERN = /^[a-z][a-z0-9-]{1,39}$/;

export const projectIdSchema = z
  .string()
  .regex(
    PROJECT_ID_PATTERN,
    'expected 2-40 characters: lower-case letters, digits and "-", starting with a letter',
  );

export const storedProjectSchema = z.object({
  id: z.string(),
  object: z.literal('project'),
  created_at: z.number().int(),
});
export type Project = z.infer<typeof storedProjectSchema>;

/**
 * The project a stored record belongs to. Records written before projects existed have no
 * `project` field: they are read as the default project's. Reading the absence as `default`,
 * rather than rewriting every dataset, job spec, model manifest and base model at start, keeps
 * a start fast on a large bucket, needs no write to objects a running trainer may be writing,
 * and gives the same answer on S3, MinIO and the embedded store whichever process reads first.
 */
export function projectOf(record: { readonly project?: string | null | undefined }): string {
  return record.project ?? DEFAULT_PROJECT;
}

/**
 * Whether a stored record is visible to `project`: the one check behind every project-scoped
 * read (stores answer 404 when this is false, exactly as for a missing id).
 */
export function inProject(
  record: { readonly project?: string | null | undefined },
  project: string,
): boolean {
  return projectOf(record) === project;
}

/** Projects as stored in S3 (`projects/<id>.json`); the default one always exists. */
export class ProjectStore {
  constructor(private readonly storage: Storage) {}

  /**
   * Creates a project. Throws `ValidationError` (400) for a malformed id, `ConflictError` (409)
   * when it exists.
   */
  async create(id: string): Promise<Project> {
    const parsed = projectIdSchema.safeParse(id);
    if (!parsed.success) {
      throw new ValidationError(
        `project: received ${JSON.stringify(id.slice(0, 80))}; ${parsed.error.issues[0]!.message}`,
        { param: 'name' },
      );
    }
    if (id === DEFAULT_PROJECT || (await this.find(id))) {
      throw new ConflictError(`Project ${id} already exists`, {
        param: 'name',
        code: 'project_exists',
      });
    }
    const project: Project = { id, object: 'project', created_at: unixSeconds() };
    await this.storage.putJson(keys.project(id), project);
    return project;
  }

  /** Writes the default project's record when missing (at start); returns it. */
  async ensureDefault(): Promise<Project> {
    const found = await this.storage.tryGetJson(keys.project(DEFAULT_PROJECT), storedProjectSchema);
    if (found) return found;
    const project: Project = { id: DEFAULT_PROJECT, object: 'project', created_at: unixSeconds() };
    await this.storage.putJson(keys.project(DEFAULT_PROJECT), project);
    return project;
  }

  /** The project, or a `NotFoundError` (404, `project_not_found`). */
  async get(id: string): Promise<Project> {
    const project = await this.find(id);
    if (!project) {
      throw new NotFoundError(`No project ${JSON.stringify(id.slice(0, 80))}`, {
        param: 'project',
        code: 'project_not_found',
      });
    }
    return project;
  }

  /** Every project, by id. */
  async list(): Promise<Project[]> {
    const out = new Map<string, Project>();
    for await (const object of this.storage.list(prefixes.projects)) {
      // Only `projects/<id>.json`; a project's own folder (admissions) holds no project record.
      if (object.key.slice(prefixes.projects.length).includes('/')) continue;
      const record = await this.storage.tryGetJson(object.key, storedProjectSchema);
      if (record) out.set(record.id, record);
    }
    if (!out.has(DEFAULT_PROJECT)) out.set(DEFAULT_PROJECT, await this.get(DEFAULT_PROJECT));
    return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  private async find(id: string): Promise<Project | undefined> {
    if (!PROJECT_ID_PATTERN.test(id)) return undefined;
    const found = await this.storage.tryGetJson(keys.project(id), storedProjectSchema);
    if (found || id !== DEFAULT_PROJECT) return found;
    // The default project exists before its record is written (an install that never started).
    return { id, object: 'project', created_at: 0 };
  }
}
