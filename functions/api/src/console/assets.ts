import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { NotFoundError } from '@trainyard/shared';

const require = createRequire(import.meta.url);
/** Beside this file in the repository; beside the bundle in the Lambda package (infra copies them). */
const OWN = join(import.meta.dirname, 'assets');

/** From npm: resolved in node_modules, else beside the bundle. */
function fromPackage(specifier: string, name: string): () => string {
  return () => {
    try {
      return require.resolve(specifier);
    } catch {
      return join(OWN, name);
    }
  };
}

/**
 * The console's static files, all from this repository or its npm dependencies (no CDN): its
 * own stylesheet and script beside this file, uPlot from `node_modules/uplot`, and Swagger UI
 * (what `/docs` shows) from `node_modules/swagger-ui-dist`.
 */
const FILES: Record<string, { readonly path: () => string; readonly type: string }> = {
  'console.css': { path: () => join(OWN, 'console.css'), type: 'text/css; charset=utf-8' },
  'console.js': { path: () => join(OWN, 'console.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.iife.min.js': {
    path: fromPackage('uplot/dist/uPlot.iife.min.js', 'uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'uPlot.min.css': {
    path: fromPackage('uplot/dist/uPlot.min.css', 'uPlot.min.css'),
    type: 'text/css; charset=utf-8',
  },
  'swagger-ui-bundle.js': {
    path: fromPackage('swagger-ui-dist/swagger-ui-bundle.js', 'swagger-ui-bundle.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'swagger-ui.css': {
    path: fromPackage('swagger-ui-dist/swagger-ui.css', 'swagger-ui.css'),
    type: 'text/css; charset=utf-8',
  },
};

const cache = new Map<string, Uint8Array>();

/** An asset's bytes and content type; a name not in the list is a 404. */
export async function readAsset(name: string): Promise<{ body: Uint8Array; type: string }> {
  const file = FILES[name];
  if (!file) {
    throw new NotFoundError(
      `No console asset ${JSON.stringify(name)}; expected one of ${Object.keys(FILES).join(', ')}`,
      {
        param: 'path.file',
      },
    );
  }
  let body = cache.get(name);
  if (!body) {
    body = new Uint8Array(await readFile(file.path()));
    cache.set(name, body);
  }
  return { body, type: file.type };
}
