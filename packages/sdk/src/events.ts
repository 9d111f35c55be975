import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { Core } from './core';
import { ConnectionError, InternalServerError, RateLimitError } from './errors';
import { sleep } from './transport';
import type { JobEvent, JobStatus } from './types';

export interface FollowOptions {
  /** Start after this event id (default: from the job's first event). */
  readonly after?: string;
  /** Stops following (the iteration ends quietly); the job itself goes on. */
  readonly signal?: AbortSignal;
  /** Reconnects in a row without a new event before giving up. Default 5. */
  readonly maxReconnects?: number;
  /** Wait before a reconnect, doubled each failed one (the server's `retry:` wins). Default 1000 ms. */
  readonly reconnectDelayMs?: number;
}

/** How a followed job ended (the stream's final `event: end`). */
export interface FollowEnd {
  readonly status: JobStatus;
}

const retryable = (error: unknown) =>
  error instanceof ConnectionError ||
  error instanceof InternalServerError ||
  error instanceof RateLimitError;

/**
 * A job's events over Server-Sent Events, oldest first, until the job ends: every event after
 * `after`, then new ones as they are written. A dropped connection is resumed with
 * `Last-Event-ID` (no event repeated or lost); the generator returns `{status}` when the server
 * sends its final `end` message, or undefined when the job had ended with nothing left to send
 * (204) or `signal` aborted. Throws `NotFoundError` for an unknown job, and `ConnectionError`
 * after `maxReconnects` reconnects in a row that brought nothing.
 */
export async function* followJobEvents(
  core: Core,
  id: string,
  options: FollowOptions = {},
): AsyncGenerator<JobEvent, FollowEnd | undefined> {
  const { signal } = options;
  const maxReconnects = options.maxReconnects ?? 5;
  let delay = options.reconnectDelayMs ?? 1000;
  let last = options.after;
  let failures = 0;
  const path = `/v1/fine-tuning/jobs/${encodeURIComponent(id)}/events`;
  for (;;) {
    if (signal?.aborted) return undefined;
    let reader:
      | ReadableStreamDefaultReader<{ id?: string; event?: string; data: string }>
      | undefined;
    let lastError: unknown;
    try {
      const response = await core.request(path, {
        headers: { accept: 'text/event-stream', ...(last ? { 'last-event-id': last } : {}) },
        ...(signal ? { signal } : {}),
        maxRetries: 0, // reconnects are counted here
      });
      if (response.status === 204 || !response.body) return undefined;
      reader = response.body
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(
          new EventSourceParserStream({
            onRetry: (ms) => {
              delay = ms;
            },
          }),
        )
        .getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (value.event === 'end') return JSON.parse(value.data) as FollowEnd;
        const event = JSON.parse(value.data) as JobEvent;
        last = value.id ?? event.id;
        failures = 0;
        yield event;
      }
    } catch (error) {
      if (signal?.aborted) return undefined;
      if (reader === undefined && !retryable(error)) throw error;
      lastError = error;
    } finally {
      await reader?.cancel().catch(() => {});
    }
    // The stream ended without its `end` message, or broke: resume after the last event.
    if (++failures > maxReconnects) {
      throw new ConnectionError(
        `The event stream of ${id} dropped ${failures} times in a row without a new event`,
        { code: 'stream_dropped', cause: lastError },
      );
    }
    try {
      await sleep(delay * 2 ** (failures - 1), signal);
    } catch {
      return undefined;
    }
  }
}
