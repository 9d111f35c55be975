export { Trainyard } from './client';
export {
  type ClientOptions,
  Core,
  DEFAULT_API_URL,
  defaultInferUrl,
  resolveClientDefaults,
} from './core';
export * from './errors';
export type { FollowEnd, FollowOptions } from './events';
export { LOCAL_PLATFORM_FILE, type LocalPlatform, readLocalPlatform } from './local-platform';
export { PageIterator } from './pagination';
export type { Cell, PredictInput, PredictOptions } from './predict';
export type { CreateFromFileOptions, WaitOptions } from './resources/datasets';
export type { WaitForJobOptions } from './resources/jobs';
export { type RetryOptions, retryAfterMs, Transport } from './transport';
export * from './types';
export type { UploadOptions, UploadProgress, UploadResult } from './uploads';
export { type VerifyWebhookOptions, verifyWebhook, WEBHOOK_SIGNATURE_HEADER } from './webhooks';
