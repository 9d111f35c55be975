import type { PredictInputs } from '@trainyard/predict';
import {
  fromZodError,
  type PredictOptions,
  predictEnvelopeSchema,
  predictOptionsSchema,
  UnsupportedMediaTypeError,
  ValidationError,
} from '@trainyard/shared';
import type { Context } from 'hono';

export const ACCEPTED_MEDIA_TYPES = 'application/json, multipart/form-data or image/*';
const FORM_FIELDS = new Set(['image', 'top_k', 'threshold']);
const strictOptions = predictOptionsSchema.strict();

function options(value: unknown, where: string): PredictOptions {
  const parsed = strictOptions.safeParse(value, { reportInput: true });
  if (!parsed.success) throw fromZodError(parsed.error, where, value);
  return parsed.data;
}

async function fromJson(c: Context) {
  let body: unknown;
  try {
    // The text `bodyBounds` decoded (and refused when it was not UTF-8).
    body = JSON.parse(await c.req.text());
  } catch (error) {
    throw new ValidationError(
      `Body is not valid JSON (${(error as Error).message}); expected {"inputs": [...]}`,
      { code: 'invalid_json', param: 'body' },
    );
  }
  const parsed = predictEnvelopeSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) throw fromZodError(parsed.error, 'body', body);
  const { inputs, ...rest } = parsed.data;
  return { inputs: { form: 'json', inputs } as const, options: rest };
}

async function fromMultipart(c: Context) {
  let form: FormData;
  try {
    const read = c.get('body');
    // The bytes bodyBounds read, parsed as the form they are (the request is not rebuilt).
    form = read
      ? await new Response(read, {
          headers: { 'content-type': c.req.header('content-type') ?? '' },
        }).formData()
      : await c.req.formData();
  } catch (error) {
    throw new ValidationError(
      `Body is not valid multipart/form-data (${(error as Error).message})`,
      {
        code: 'invalid_multipart',
        param: 'body',
      },
    );
  }
  const images: Array<{ bytes: Uint8Array; param: string }> = [];
  const fields: Record<string, string> = {};
  for (const [name, value] of form.entries()) {
    if (!FORM_FIELDS.has(name)) {
      throw new ValidationError(
        `Unknown form field ${JSON.stringify(name)}; expected image files (field \`image\`), top_k and threshold`,
        { param: name },
      );
    }
    if (name !== 'image') fields[name] = String(value);
    else if (typeof value === 'string')
      throw new ValidationError('Form field `image` must be a file, received text', {
        param: 'image',
      });
    else
      images.push({
        bytes: new Uint8Array(await value.arrayBuffer()),
        param: `image[${images.length}]`,
      });
  }
  if (images.length === 0) {
    throw new ValidationError('No image files: expected one or more form fields `image`', {
      param: 'image',
    });
  }
  return {
    inputs: { form: 'images', images, param: 'body' } as const,
    options: options(fields, 'body'),
  };
}

/**
 * The inputs and options of a predict request, by media type: JSON `{"inputs": [...]}`,
 * multipart `image` files, or one raw `image/*` body (options from the query string).
 */
export async function readPredictBody(
  c: Context,
): Promise<{ inputs: PredictInputs; options: PredictOptions }> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  // No query string, no options from it (and no object for zod to check).
  const query = c.req.url.includes('?') ? options(c.req.query(), 'query') : {};
  let read: { inputs: PredictInputs; options: PredictOptions };
  if (type === 'application/json' || /^application\/[\w.-]+\+json$/.test(type))
    read = await fromJson(c);
  else if (type === 'multipart/form-data') read = await fromMultipart(c);
  else if (type.startsWith('image/')) {
    const bytes = c.get('body') ?? new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0) throw new ValidationError('Empty image body', { param: 'body' });
    read = {
      inputs: { form: 'images', images: [{ bytes, param: 'body' }], param: 'body' },
      options: {},
    };
  } else {
    throw new UnsupportedMediaTypeError(
      `Content-Type ${type ? JSON.stringify(type) : 'missing'}; expected ${ACCEPTED_MEDIA_TYPES}`,
      { param: 'Content-Type' },
    );
  }
  return { inputs: read.inputs, options: { ...query, ...read.options } };
}
