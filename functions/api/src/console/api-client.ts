/** What the console needs of the API app: `app.request`, Hono's in-process call. */
export interface InProcessApp {
  request(input: Request | string, init?: RequestInit): Response | Promise<Response>;
}

/** An API answer as the console reads it: the status and the parsed JSON body. */
export interface ApiAnswer<T> {
  readonly status: number;
  readonly ok: boolean;
  readonly body: T;
}

/** The `{error: {code, message, param}}` body every 4xx/5xx carries. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly param?: string };
}

// biome-ignore lint/suspicious/noExplicitAny: pages read the API's JSON field by field
export type Json = any;

/**
 * The public API, called in-process (`app.request`) with the signed-in person's key: every panel
 * reads exactly what the CLI and SDK read, through the same auth, validation and error handling.
 */
export class ConsoleApi {
  constructor(
    private readonly app: InProcessApp,
    private readonly apiKey: string,
  ) {}

  /** `GET path` → the answer; a non-JSON body reads as null. */
  get(path: string): Promise<ApiAnswer<Json>> {
    return this.send('GET', path);
  }

  /** `method path` with a JSON body (when given). */
  async send(method: string, path: string, body?: unknown): Promise<ApiAnswer<Json>> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.apiKey}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.app.request(path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: Json = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: res.status, ok: res.ok, body: parsed };
  }
}

/** The message of an error answer, for a page to show. */
export function errorMessage(answer: ApiAnswer<Json>): string {
  const error = (answer.body as ApiErrorBody | null)?.error;
  return error
    ? `${error.message}${error.param ? ` (${error.param})` : ''}`
    : `HTTP ${answer.status}`;
}
