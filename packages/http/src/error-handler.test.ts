import {
  createLogger,
  type ErrorKind,
  InternalError,
  NotFoundError,
  TrainyardError,
  ValidationError,
} from '@trainyard/shared';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { errorHandler } from './error-handler';

function appThrowing(error: unknown) {
  const app = new Hono();
  app.onError(errorHandler(createLogger('test', 'silent')));
  app.get('/', () => {
    throw error;
  });
  return app;
}

/** A domain error as `ml` or `tuning` declare theirs: a kind, no HTTP status. */
class TrialLost extends TrainyardError {
  override readonly kind: ErrorKind = 'unprocessable';
  override readonly code = 'trial_lost';
}
class NoBackend extends TrainyardError {
  override readonly kind: ErrorKind = 'unavailable';
  override readonly code = 'backend_unavailable';
}

describe('errorHandler', () => {
  it('maps every package’s errors to HTTP by their kind, in the one error shape', async () => {
    const cases: Array<[TrainyardError, number]> = [
      [new ValidationError('x: expected a number; received "a"', { param: 'body.x' }), 400],
      [new NotFoundError('No job "ftjob_0"', { param: 'id', code: 'job_not_found' }), 404],
      [new TrialLost('trial 3 is not running', { param: 'tuning' }), 422],
      [new NoBackend('No TensorFlow.js backend could start'), 503],
    ];
    for (const [error, status] of cases) {
      const res = await appThrowing(error).request('/');
      expect([error.name, res.status]).toEqual([error.name, status]);
      const body = (await res.json()) as { error: Record<string, string> };
      expect(body.error).toEqual({
        code: error.code,
        message: error.message,
        ...(error.param ? { param: error.param } : {}),
      });
    }
  });

  it('answers an internal error, ours or a foreign one, 500 without its message', async () => {
    for (const error of [new InternalError('secret detail'), new TypeError('secret detail')]) {
      const res = await appThrowing(error).request('/');
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).not.toContain('secret detail');
      expect(JSON.parse(text).error.code).toBe('internal_error');
    }
  });
});
