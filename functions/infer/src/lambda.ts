import { createRuntime, loadConfig } from '@trainyard/shared';
import { handle } from 'hono/aws-lambda';
import { createInferApp } from './app';

export const handler = handle(createInferApp(createRuntime(loadConfig(), 'infer')));
