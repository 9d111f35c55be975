import createClient, { type Client } from 'openapi-fetch';
import { errorFromResponse, throwFromResponse } from './errors';
import type { paths as InferPaths } from './generated/infer-openapi';
import type { paths } from './generated/openapi';
import { readLocalPlatform } from './local-platform';
import { Transport, type TransportOptions } from './transport';

/** Where the local platform (`npm start`) serves the API. */
export const DEFAULT_API_URL = 'http://127.0.0.1:8787';

/** How a client reaches the platform. */
export interface ClientOptions extends TransportOptions {
  /**
   * `Authorization: Bearer <apiKey>` on every call. Required by every `/v1` route. Default (in
   * Node): `TRAINYARD_API_KEY`, else none.
   */
  readonly apiKey?: string;
  /**
   * The API's base URL. Default, in this order: `TRAINYARD_API_URL` (in Node); the local platform
   * `npm start` is running, from its `.trainyard/platform.json` (in Node; see
   * `readLocalPlatform`); `http://127.0.0.1:8787`.
   */
  readonly baseUrl?: string;
  /**
   * The inference function's base URL. Default: with `baseUrl` given, `baseUrl` with port 8788
   * when it has port 8787 (the local platform's layout), else `baseUrl` itself; without it,
   * `TRAINYARD_INFER_URL` (in Node), then the running local platform's, then that same rule on
   * the default `baseUrl`.
   */
  readonly inferUrl?: string;
  /** Headers sent with every call to the API and the inference function. */
  readonly headers?: Record<string, string>;
}

/** The inference URL `ClientOptions.inferUrl` defaults to. */
export function defaultInferUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.port === '8787') url.port = '8788';
  return url.toString().replace(/\/$/, '');
}

/**
 * The URLs and key a client uses when options leave them out: see `ClientOptions` for the order.
 * `env` defaults to the process's environment in Node and to nothing elsewhere.
 */
export function resolveClientDefaults(
  options: Pick<ClientOptions, 'apiKey' | 'baseUrl' | 'inferUrl'>,
  env: Record<string, string | undefined> = (
    globalThis as { process?: { env?: Record<string, string | undefined> } }
  ).process?.env ?? {},
): { baseUrl: string; inferUrl: string; apiKey: string | undefined } {
  const apiKey = options.apiKey ?? (env.TRAINYARD_API_KEY || undefined);
  if (options.baseUrl) {
    return {
      baseUrl: options.baseUrl,
      inferUrl: options.inferUrl ?? defaultInferUrl(options.baseUrl),
      apiKey,
    };
  }
  const local = env.TRAINYARD_API_URL ? undefined : readLocalPlatform(env);
  const baseUrl = env.TRAINYARD_API_URL || local?.apiUrl || DEFAULT_API_URL;
  const inferUrl =
    options.inferUrl ?? (env.TRAINYARD_INFER_URL || local?.inferUrl || defaultInferUrl(baseUrl));
  return { baseUrl, inferUrl, apiKey };
}

/** What every resource uses: the typed clients, the transport and the raw request path. */
export class Core {
  readonly baseUrl: string;
  readonly inferUrl: string;
  readonly transport: Transport;
  readonly api: Client<paths>;
  readonly infer: Client<InferPaths>;
  private readonly headers: Record<string, string>;

  constructor(options: ClientOptions = {}) {
    const defaults = resolveClientDefaults(options);
    this.baseUrl = defaults.baseUrl.replace(/\/$/, '');
    this.inferUrl = defaults.inferUrl.replace(/\/$/, '');
    this.transport = new Transport(options);
    this.headers = {
      ...options.headers,
      ...(defaults.apiKey ? { Authorization: `Bearer ${defaults.apiKey}` } : {}),
    };
    const fetch = (request: Request) => this.transport.send(this.withIdempotencyKey(request));
    this.api = createClient<paths>({ baseUrl: this.baseUrl, headers: this.headers, fetch });
    this.infer = createClient<InferPaths>({ baseUrl: this.inferUrl, headers: this.headers, fetch });
  }

  /**
   * A POST that may be retried carries an `Idempotency-Key` (a new UUID unless the caller set
   * one), so that a retry after a lost answer replays the first result instead of creating twice.
   */
  private withIdempotencyKey(request: Request): Request {
    if (request.method !== 'POST' || this.transport.maxRetries === 0) return request;
    if (request.headers.has('idempotency-key')) return request;
    const headers = new Headers(request.headers);
    headers.set('Idempotency-Key', crypto.randomUUID());
    return new Request(request, { headers });
  }

  /**
   * A request outside the typed clients (file bodies, event streams), to the API (a path) or to
   * any URL (`auth: false` for presigned URLs: the key never goes to S3). Throws the typed error
   * for a non-2xx answer unless `okStatuses` lets it through.
   */
  async request(
    pathOrUrl: string,
    init: RequestInit & { auth?: boolean; maxRetries?: number } = {},
  ): Promise<Response> {
    const { auth = true, maxRetries, ...rest } = init;
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`;
    const headers = new Headers(auth ? this.headers : {});
    for (const [k, v] of new Headers(rest.headers)) headers.set(k, v);
    const request = new Request(url, { ...rest, headers });
    const response = await this.transport.send(request, {
      ...(maxRetries === undefined ? {} : { maxRetries }),
    });
    if (!response.ok) await throwFromResponse(response);
    return response;
  }
}

/**
 * The `{data, error, response}` of an openapi-fetch call: its data, or its typed error thrown.
 * `R` narrows the data where the generated type is wider than the route answers (a JSON body of
 * a route that also streams).
 */
export async function unwrap<T, R = T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<R> {
  const { data, error, response } = await call;
  if (!response.ok) throw errorFromResponse(response, error);
  return data as unknown as R;
}
