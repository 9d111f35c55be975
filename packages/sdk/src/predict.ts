import type { Core } from './core';
import type { PredictResponse } from './types';

/** A cell of a tabular row. */
export type Cell = string | number | boolean | null;

/**
 * What to predict on, by the model's task: image files (Blob/File, ArrayBuffer or bytes; sent
 * as multipart `image` files), tabular rows (column → value), or texts.
 */
export type PredictInput =
  | { readonly images: ReadonlyArray<Blob | ArrayBuffer | ArrayBufferView> }
  | { readonly rows: ReadonlyArray<Readonly<Record<string, Cell>>> }
  | { readonly texts: readonly string[] };

export interface PredictOptions {
  /** Classes per answer, best first. Default: the server's (all classes up to its cap). */
  readonly top_k?: number;
  /** Below this score the answer's label is null. */
  readonly threshold?: number | null;
  readonly signal?: AbortSignal;
}

const toBlob = (image: Blob | ArrayBuffer | ArrayBufferView): Blob =>
  image instanceof Blob
    ? image
    : new Blob([
        image instanceof ArrayBuffer
          ? image
          : new Uint8Array(image.buffer as ArrayBuffer, image.byteOffset, image.byteLength),
      ]);

/**
 * Predictions from a model, on the inference function (`inferUrl`): one answer per input, in
 * order (`[{label, score}…]` best first, or `[{value}]` for regression). Throws
 * `BadRequestError` (an input that does not fit: the message names the expected input),
 * `NotFoundError`, `PayloadTooLargeError`, `UnsupportedMediaTypeError` or
 * `UnprocessableEntityError` (an image that cannot be decoded).
 */
export async function predict(
  core: Core,
  model: string,
  input: PredictInput,
  options: PredictOptions = {},
): Promise<PredictResponse> {
  const query = new URLSearchParams();
  if (options.top_k !== undefined) query.set('top_k', String(options.top_k));
  if (options.threshold !== undefined && options.threshold !== null) {
    query.set('threshold', String(options.threshold));
  }
  const url = `${core.inferUrl}/v1/models/${encodeURIComponent(model)}/predict${query.size ? `?${query}` : ''}`;
  let body: RequestInit['body'];
  const headers: Record<string, string> = {};
  if ('images' in input) {
    const form = new FormData();
    input.images.forEach((image, i) => {
      const blob = toBlob(image);
      form.append('image', blob, (blob as File).name || `image-${i}`);
    });
    body = form;
  } else {
    headers['content-type'] = 'application/json';
    body = JSON.stringify({ inputs: 'rows' in input ? input.rows : input.texts });
  }
  const response = await core.request(url, {
    method: 'POST',
    body,
    headers,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return (await response.json()) as PredictResponse;
}
