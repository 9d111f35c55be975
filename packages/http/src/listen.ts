import { createServer, type Server } from 'node:http';
import { type ServerType, serve } from '@hono/node-server';
import type { ProcessAdmission } from './admission';
import { answerClientErrors } from './client-errors';
import { lingerOnClose } from './lingering-close';

export interface ListenOptions {
  /**
   * Admission for the whole process, in Node's `request` event before the app sees a request
   * (`ProcessAdmission`: the inference function's early 503). Default: none.
   */
  readonly admission?: ProcessAdmission;
}

/**
 * Serves a Hono app's `fetch` on Node at `hostname:port` (0: a free port); resolves once listening.
 * A connection closed after its last answer while the client still sends lingers (`lingerOnClose`);
 * what Node's parser refuses is answered in the API's error shape (`answerClientErrors`).
 */
export function listen(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  hostname: string,
  port: number,
  { admission }: ListenOptions = {},
): Promise<ServerType> {
  return new Promise((resolve) => {
    const server = serve(
      {
        fetch: app.fetch,
        hostname,
        port,
        ...(admission
          ? {
              createServer: ((options: object, listener: Parameters<typeof admission.wrap>[0]) =>
                createServer(options, admission.wrap(listener))) as never,
            }
          : {}),
      },
      () => resolve(server),
    );
    lingerOnClose(server as Server);
    answerClientErrors(server as Server);
  });
}
