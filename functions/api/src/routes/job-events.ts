import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { projectOfRequest as project } from '@trainyard/http';
import type { JobQueue } from '@trainyard/queue';
import {
  decimalText,
  EVENT_ID_PATTERN,
  isTerminal,
  isTerminalEventType,
  type JobEvent,
  type JobStore,
  jobEventSchema,
  ValidationError,
} from '@trainyard/shared';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { errorResponses, security } from './errors';
import { jobIdParam } from './jobs';

const eventsQuery = z.strictObject({
  after: z
    .string()
    .max(120)
    .regex(EVENT_ID_PATTERN, 'expected an event id (evt_…: the id of one of the job’s events)')
    .optional()
    .openapi({ description: 'Return events after this event id' }),
  limit: decimalText(z.number().int().min(1).max(1000)).default(100),
});

const events = createRoute({
  method: 'get',
  path: '/v1/fine-tuning/jobs/{id}/events',
  tags: ['Fine-tuning jobs'],
  security,
  summary: 'A job’s events, oldest first; or a live stream of them (Server-Sent Events)',
  description: [
    'JSON: a page of events after `after` (oldest first). Each event is a `JobEvent`: one schema per `type` (`JobEventJobFailed`, `JobEventEpochCompleted`, …), so its `data` is typed by its `type`.',
    'With `Accept: text/event-stream`: every event after `after` (or the `Last-Event-ID` header, which wins) as `id: <event id>` + `data: <event JSON>` messages, then the new ones as they are written, until the job ends: the stream closes after a final `event: end` message whose data is `{"status": …}`. A reconnect to a job that has ended with nothing left to send answers 204, which tells EventSource to stop. A `: ping` comment every 15 s keeps proxies from closing an idle stream.',
  ].join('\n\n'),
  request: { params: jobIdParam, query: eventsQuery },
  responses: {
    200: {
      description: 'Events',
      content: {
        'application/json': {
          schema: z
            .object({
              data: z.array(jobEventSchema),
              has_more: z.boolean(),
              last_id: z.string().nullable(),
            })
            .openapi('FineTuningJobEventList'),
        },
        'text/event-stream': { schema: z.string() },
      },
    },
    204: { description: 'The job has ended and there is nothing after Last-Event-ID' },
    400: errorResponses[400],
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

export interface JobEventRoutesOptions {
  readonly store: JobStore;
  readonly queue: JobQueue;
  /** How often the stream looks for new events. Default 500 ms. */
  readonly pollMs?: number;
  /** Longest a stream stays open; the client reconnects with Last-Event-ID. Default 1 hour. */
  readonly maxStreamSeconds?: number;
}

export function registerJobEvents(app: OpenAPIHono, options: JobEventRoutesOptions): void {
  const { store } = options;
  app.openapi(events, async (c) => {
    const { id } = c.req.valid('param');
    const { after, limit } = c.req.valid('query');
    const { state } = await store.get(id, project(c));
    if (c.req.header('accept')?.includes('text/event-stream')) {
      const from = lastEventId(c) || after;
      if (
        isTerminal(state.status) &&
        !(await store.log.refs(id, { after: from, limit: 1 })).length
      ) {
        return c.body(null, 204);
      }
      // biome-ignore lint/suspicious/noExplicitAny: a stream is outside the route's JSON typing
      return stream(c, id, from, options) as any;
    }
    const refs = await store.log.refs(id, { ...(after ? { after } : {}), limit: limit + 1 });
    const data = await store.log.read(refs.slice(0, limit));
    return c.json({ data, has_more: refs.length > limit, last_id: data.at(-1)?.id ?? null }, 200);
  });
}

/** `Last-Event-ID` (what EventSource resends on reconnect), checked like `after`. */
function lastEventId(c: Context): string | undefined {
  const value = c.req.header('last-event-id');
  if (!value) return undefined;
  if (value.length > 120 || !EVENT_ID_PATTERN.test(value)) {
    throw new ValidationError(
      `Last-Event-ID: received ${JSON.stringify(value.slice(0, 80))}; expected an event id (evt_…: the id: of an event this stream sent)`,
      { param: 'header.last-event-id' },
    );
  }
  return value;
}

function stream(c: Context, id: string, from: string | undefined, options: JobEventRoutesOptions) {
  const { store, queue } = options;
  return streamSSE(c, async (sse) => {
    let open = true;
    sse.onAbort(() => {
      open = false;
    });
    const started = Date.now();
    const maxMs = (options.maxStreamSeconds ?? 3600) * 1000;
    let last = from;
    let lastWrite = Date.now();
    let lastReconcile = Date.now();
    let ended: JobEvent | undefined;
    // Whether the job had ended before this stream began (events after it may still follow).
    const endedBefore = isTerminal((await store.state(id)).status);
    while (open && Date.now() - started < maxMs) {
      const refs = await store.log.refs(id, last ? { after: last } : {});
      for (const event of await store.log.read(refs)) {
        await sse.writeSSE({ id: event.id, data: JSON.stringify(event) });
        last = event.id;
        lastWrite = Date.now();
        if (isTerminalEventType(event.type)) ended ??= event;
      }
      // Ended, and one more look found nothing written along with the final event: done.
      if ((ended || endedBefore) && refs.length === 0) {
        const { status } = await store.state(id);
        await sse.writeSSE({ event: 'end', data: JSON.stringify({ status }) });
        return;
      }
      if (Date.now() - lastWrite > 15_000) {
        await sse.write(': ping\n\n');
        lastWrite = Date.now();
      }
      if (queue.kind === 'batch' && Date.now() - lastReconcile > 30_000) {
        lastReconcile = Date.now();
        await queue.reconcile([id]);
      }
      await sse.sleep(options.pollMs ?? 500);
    }
  });
}
