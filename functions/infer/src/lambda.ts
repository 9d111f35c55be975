import { createRuntime, loadConfig } from '@trainyard/shared';
import { handle } from 'hono/aws-lambda';
import { prepareInferApp } from './prepare';

// Once per container, during the init phase: the backend, the cache, the warm-up list.
export const handler = handle(await prepareInferApp(createRuntime(loadConfig(), 'infer')));
