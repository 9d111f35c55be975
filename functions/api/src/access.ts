import type { Access } from '@trainyard/http';
import { CURRENT_PROJECT_PATH, PROJECTS_PATH } from './routes/projects';

/**
 * What each route of the API needs, in one place: every valid key may ask which project it is
 * in; creating and listing projects is the operator's; key administration is `admin`; the rest
 * (datasets, base models, jobs, models) is `member`. An `inference` key reaches only the
 * inference function (and `GET /v1/projects/current`).
 */
export function apiAccess(_method: string, path: string): Access {
  if (path === CURRENT_PROJECT_PATH) return 'any';
  if (path === PROJECTS_PATH) return 'operator';
  if (path === '/v1/api-keys' || path.startsWith('/v1/api-keys/')) return 'admin';
  return 'member';
}
