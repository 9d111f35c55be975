import { type Core, unwrap } from '../core';
import { PageIterator } from '../pagination';
import type { CreatedProject, CreateProject, CurrentProject, Project } from '../types';

/** `/v1/projects`: every key belongs to one project and sees only its objects. */
export class Projects {
  constructor(private readonly core: Core) {}

  /** The calling key's project and the key itself (its `role`); works for every role. */
  current(): Promise<CurrentProject> {
    return unwrap(this.core.api.GET('/v1/projects/current'));
  }

  /**
   * A new project and its first admin key (`admin_key.secret`, in this answer only). Needs the
   * operator's key (else `PermissionError`); an existing name is a `ConflictError`.
   */
  create(
    body: Omit<CreateProject, 'admin_key_name'> & { admin_key_name?: string },
  ): Promise<CreatedProject> {
    return unwrap(this.core.api.POST('/v1/projects', { body: body as CreateProject }));
  }

  /** Every project (one page). Needs the operator's key. */
  list(): PageIterator<Project> {
    return new PageIterator(() => unwrap(this.core.api.GET('/v1/projects')));
  }
}
