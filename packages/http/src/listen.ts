import { type ServerType, serve } from '@hono/node-server';

/** Serves a Hono app's `fetch` on Node at `hostname:port` (0: a free port); resolves once listening. */
export function listen(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  hostname: string,
  port: number,
): Promise<ServerType> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname, port }, () => resolve(server));
  });
}
