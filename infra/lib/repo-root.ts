import { fileURLToPath } from 'node:url';

/**
 * The repository root: the npm project the functions are bundled from and the Docker build
 * context of the images (infra/docker/*.Dockerfile), whatever directory `cdk` runs in.
 */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
