// The Cloudflare Workers entry: the same `createInferApp` as `node.ts` and `lambda.ts`, with models
// and API keys read from S3 by SigV4-signed fetch (`FetchStorage`, aws4fetch), kept in memory per
// isolate, on TensorFlow.js's cpu backend (plain JavaScript: runs in workerd as it is). Bundled by
// `functions/infer/scripts/build-edge.ts`; `npm run start:edge` serves it in workerd.

import type { OpenAPIHono } from '@hono/zod-openapi';
import * as tf from '@tensorflow/tfjs';
import { ApiKeyStore, createLogger, loadConfig, type Storage, VERSION } from '@trainyard/shared';
import { createInferApp } from './app';
import { FetchStorage } from './edge/s3-fetch';
import { createModelCache } from './model-cache';

/** The Worker's bindings: the same variables as the Node function, all strings. */
export type EdgeEnv = Record<string, string | undefined>;

let app: Promise<OpenAPIHono> | undefined;

/** Once per isolate: config from the bindings, the backend, the cache. */
async function prepare(env: EdgeEnv): Promise<OpenAPIHono> {
  const config = loadConfig({ TRAINYARD_DATA_DIR: '/tmp', ...env });
  const logger = createLogger('infer-edge', config.logLevel);
  await tf.setBackend('cpu');
  const credentials = config.s3.credentials;
  const storage = new FetchStorage({
    endpoint: config.s3.endpoint ?? `https://s3.${config.s3.region}.amazonaws.com`,
    bucket: config.s3.bucket,
    region: config.s3.region,
    accessKeyId: credentials?.accessKeyId ?? '',
    secretAccessKey: credentials?.secretAccessKey ?? '',
    ...(credentials?.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    forcePathStyle: config.s3.forcePathStyle,
  });
  // Verifying a key only reads it (`tryGetJson`), which FetchStorage does as Storage does.
  const apiKeys = new ApiKeyStore(storage as unknown as Storage);
  const deps = { config, logger, storage, apiKeys, version: VERSION };
  const cache = createModelCache(deps);
  logger.info({ backend: tf.getBackend() }, 'edge inference ready');
  return createInferApp({ ...deps, cache });
}

export default {
  async fetch(request: Request, env: EdgeEnv, ctx: unknown): Promise<Response> {
    app ??= prepare(env);
    return (await app).fetch(request, env, ctx as never);
  },
};
