import * as tf from '@tensorflow/tfjs';
import {
  ImageError,
  type ImageInput,
  InternalError,
  type Preprocess,
  type TableInput,
  type TextInput,
} from '@trainyard/shared/portable';
import { portableImageDecoder } from './decoders/portable';
import { unusableImage } from './input-errors';
import { imageInputs, type PredictInputs, tableInputs, textInputs } from './inputs';
import { type ImageDecoder, imagesToTensor } from './preprocess/image';
import { encodeRow } from './preprocess/table';
import { encodeText } from './preprocess/text';

/** Largest image (pixels, before resizing) inference decodes: a PNG bomb stops at its header. */
export const MAX_PREDICT_IMAGE_PIXELS = 25_000_000;

export interface EncodeOptions {
  /** Default `MAX_PREDICT_IMAGE_PIXELS`. */
  readonly maxImagePixels?: number;
  /** How image files become pixels. Default `portableImageDecoder` (pure JavaScript). */
  readonly imageDecoder?: ImageDecoder;
  /** `vocabIndex(pre.input)`, built once per model (text models). */
  readonly vocab?: Map<string, number>;
}

/** An `ImageError` as an `UnusableInputError` naming the input; any other error as it is. */
function unusable(pre: Preprocess, param: string, error: unknown): never {
  if (!(error instanceof ImageError)) throw error;
  const code =
    error.problem === 'too_many_pixels'
      ? 'image_too_large'
      : error.problem === 'unsupported_format'
        ? 'unsupported_image_format'
        : 'undecodable_image';
  throw unusableImage(pre, param, code, `received a file that ${error.message}`);
}

async function decodeOne(
  pre: Preprocess,
  input: ImageInput,
  { bytes, param }: { bytes: Uint8Array; param: string },
  maxPixels: number,
  decoder: ImageDecoder,
): Promise<Uint8Array> {
  try {
    // The decoder reads the header first, so a bomb stops before decoding.
    return await decoder.decode(bytes, input, { maxPixels });
  } catch (error) {
    return unusable(pre, param, error);
  }
}

async function imageTensor(
  pre: Preprocess,
  input: ImageInput,
  inputs: PredictInputs,
  maxPixels: number,
  decoder: ImageDecoder,
) {
  const images = imageInputs(pre, inputs);
  const decoded = await Promise.all(
    images.map((image) => decodeOne(pre, input, image, maxPixels, decoder)),
  );
  const size = input.height * input.width * input.channels;
  const pixels = new Uint8Array(decoded.length * size);
  for (const [i, d] of decoded.entries()) pixels.set(d, i * size);
  return imagesToTensor(pixels, decoded.length, input);
}

function tableTensor(pre: Preprocess, input: TableInput, inputs: PredictInputs): tf.Tensor {
  const rows = tableInputs({ ...pre, input }, inputs);
  const at = new Map(input.columns.map((c, i) => [c.name, i]));
  const features = new Float32Array(rows.length * input.features);
  for (const [r, row] of rows.entries()) {
    encodeRow(input, (name) => row[at.get(name)!], features, r * input.features);
  }
  return tf.tensor2d(features, [rows.length, input.features]);
}

function textTensor(
  pre: Preprocess,
  input: TextInput,
  inputs: PredictInputs,
  vocab: Map<string, number>,
) {
  const texts = textInputs(pre, inputs);
  const ids = new Int32Array(texts.length * input.max_length);
  for (const [i, text] of texts.entries())
    encodeText(input, vocab, text, ids, i * input.max_length);
  return tf.tensor2d(ids, [texts.length, input.max_length], 'int32');
}

/**
 * Checks raw inputs against the model's `preprocess.json` and turns them into its input tensor
 * with the functions `encodeDataset` uses in training and evaluation (so no serving skew). Bad
 * inputs throw a `ModelInputError` or, for unusable images, an `UnusableInputError`,
 * naming the input and what the model expects. The caller disposes the tensor.
 */
export async function encodeInputs(
  pre: Preprocess,
  inputs: PredictInputs,
  options: EncodeOptions = {},
): Promise<tf.Tensor> {
  const input = pre.input;
  if (input.kind === 'image')
    return imageTensor(
      pre,
      input,
      inputs,
      options.maxImagePixels ?? MAX_PREDICT_IMAGE_PIXELS,
      options.imageDecoder ?? portableImageDecoder,
    );
  if (input.kind === 'table') return tableTensor(pre, input, inputs);
  if (!options.vocab) throw new InternalError('encodeInputs: a text model needs options.vocab');
  return textTensor(pre, input, inputs, options.vocab);
}
