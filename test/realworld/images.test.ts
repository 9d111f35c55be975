import { decodeImage } from '@trainyard/predict/sharp';
import type { Dataset, ImageInput } from '@trainyard/shared';
import { makeZip } from '@trainyard/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InferServer, json, startInfer, trainModel } from '../infer/support';
import { startTestApi, type TestApi } from '../support/api';
import { type Issue, realworldFixture, submitDataset } from '../support/realworld';

// Cases 01, 06 and 07 of test/fixtures/realworld, as a user meets them: datasets uploaded,
// validated and read back through the management API, models trained by the real trainer on
// them, predictions over HTTP from the inference function.

const fixture = realworldFixture;

let api: TestApi;
let infer: InferServer;
beforeAll(async () => {
  api = await startTestApi();
  infer = await startInfer(api.runtime);
});
afterAll(async () => {
  await infer?.close();
  await api?.close();
});

/** Create, upload and complete an `image_folder_zip` dataset; the dataset as the API returns it. */
const uploadZip = (name: string, zip: Uint8Array): Promise<Dataset> =>
  submitDataset(api, { name, task: 'image_classification', format: 'image_folder_zip' }, zip);

const codes = (issues: Issue[]) => issues.map((i) => i.code);

type Form = 'multipart' | 'raw' | 'base64';
const FORMS: Form[] = ['multipart', 'raw', 'base64'];

/** One image predicted in one body form: the response as it came. */
function predict(modelId: string, image: Buffer, name: string, form: Form): Promise<Response> {
  if (form === 'multipart') {
    const data = new FormData();
    data.append('image', new Blob([image]), name);
    return infer.predict(modelId, { body: data });
  }
  if (form === 'raw') {
    const type = `image/${name.split('.').at(-1)}`;
    return infer.predict(modelId, { headers: { 'content-type': type }, body: image });
  }
  return infer.predictJson(modelId, { inputs: [{ image_base64: image.toString('base64') }] });
}

async function topLabel(modelId: string, image: Buffer, name: string, form: Form) {
  const res = await predict(modelId, image, name, form);
  const answer = await json(res);
  expect(res.status, `${name} as ${form}: ${JSON.stringify(answer)}`).toBe(200);
  return answer.predictions[0][0].label as string;
}

describe('01 EXIF orientation, and 07 odd images at inference on the case-01 model', () => {
  let dataset: Dataset;
  let modelId: string;
  beforeAll(async () => {
    dataset = await uploadZip('exif', fixture('01-exif-orientation/train.zip'));
    ({ modelId } = await trainModel(api.runtime, dataset, {
      architecture: { type: 'cnn', input_size: [16, 24], filters: [8] },
      hyperparameters: { epochs: 12, batch_size: 8, early_stopping: null },
    }));
  }, 120_000);

  it('reports the sides of the sideways-stored phone photos as a viewer shows them', () => {
    expect(dataset.status).toBe('ready');
    expect(dataset.report!.errors).toEqual([]);
    // 48 of the 60 are plain 48×32 JPEGs; 12 are stored 32×48 with orientation 6 or 8.
    expect(dataset.report!.stats).toMatchObject({
      examples: 60,
      classes: { left: 30, top: 30 },
      images: {
        width: { min: 48, max: 48 },
        height: { min: 32, max: 32 },
        formats: { jpeg: 60 },
      },
    });
  });

  it('predicts EXIF-rotated photos as they look, like their plain twins', async () => {
    for (const [file, label] of [
      ['predict-top-plain.jpg', 'top'],
      ['predict-top-exif6.jpg', 'top'],
      ['predict-left-plain.jpg', 'left'],
      ['predict-left-exif8.jpg', 'left'],
    ]) {
      const image = fixture(`01-exif-orientation/${file!}`);
      expect(await topLabel(modelId, image, file!, 'multipart'), file).toBe(label);
    }
  });

  it('predicts grey, large, tiny, RGBA, GIF and BMP images as they look, in every body form', async () => {
    const cases: Array<[string, string]> = [
      ['grey-top-300x200.png', 'top'],
      ['tiny-top-6x4.jpg', 'top'],
      ['rgba-left-20x20.png', 'left'],
      ['left.gif', 'left'],
      ['top.bmp', 'top'],
    ];
    for (const form of FORMS) {
      for (const [file, label] of cases) {
        const image = fixture(`07-predict-odd-images/${file}`);
        expect(await topLabel(modelId, image, file, form), `${file} as ${form}`).toBe(label);
      }
    }
  });

  it('answers a HEIC or a truncated file with a 4xx naming the problem, in every body form', async () => {
    for (const form of FORMS) {
      const heic = await predict(
        modelId,
        fixture('07-predict-odd-images/photo.heic'),
        'photo.heic',
        form,
      );
      const heicError = (await json(heic)).error;
      expect({ status: heic.status, code: heicError.code }, form).toEqual({
        status: 422,
        code: 'unsupported_image_format',
      });
      expect(heicError.message).toContain(
        "is HEIC (iPhone's default photo format), which this platform cannot decode; convert it to JPEG",
      );
      expect(heicError.param).toBe(
        { multipart: 'image[0]', raw: 'body', base64: 'inputs[0].image_base64' }[form],
      );

      const cut = await predict(
        modelId,
        fixture('07-predict-odd-images/truncated.jpg'),
        'truncated.jpg',
        form,
      );
      const cutError = (await json(cut)).error;
      expect({ status: cut.status, code: cutError.code }, form).toEqual({
        status: 422,
        code: 'undecodable_image',
      });
      expect(cutError.message).toContain('is a JPEG image that is truncated or corrupt');
    }
  });

  it('predicts TIFF and AVIF too, and names a plain HEIF (brand mif1) it cannot decode', async () => {
    const top = fixture('01-exif-orientation/predict-top-plain.jpg');
    const left = fixture('01-exif-orientation/predict-left-plain.jpg');
    expect(await topLabel(modelId, await sharp(top).tiff().toBuffer(), 'top.tiff', 'raw')).toBe(
      'top',
    );
    expect(
      await topLabel(modelId, await sharp(left).avif().toBuffer(), 'left.avif', 'multipart'),
    ).toBe('left');
    // An AVIF's boxes with the codec-neutral HEIF brands only: what a camera's .HEIF looks like.
    const heif = await sharp(left).avif().toBuffer();
    heif.write('mif1', 8, 'latin1');
    heif.write('mif1miafmiaf', 16, 'latin1');
    const res = await predict(modelId, heif, 'left.heif', 'base64');
    expect(res.status).toBe(422);
    expect((await json(res)).error.message).toContain('is HEIF (the container of HEIC photos)');
  });
});

describe('07 odd images on the model the defaults train (fine-tuned MobileNetV2, downscaled copies)', () => {
  it('predicts a 6×4 thumbnail and the other odd images as they look', async () => {
    const dataset = await uploadZip('exif-defaults', fixture('01-exif-orientation/train.zip'));
    // No architecture: 60 photos fine-tune the built-in base, with low-resolution copies
    // (augmentation.downscale 0.9) by default; without them every seed tried read the tiny
    // picture's smooth top-to-bottom fade as "left" (0.74-0.99).
    const { modelId, spec } = await trainModel(api.runtime, dataset, {});
    expect(spec.base_model).toBe('bm_mobilenetv2block13');
    expect(spec.augmentation.downscale).toBe(0.9);
    const cases: Array<[string, string]> = [
      ['tiny-top-6x4.jpg', 'top'],
      ['grey-top-300x200.png', 'top'],
      ['rgba-left-20x20.png', 'left'],
      ['left.gif', 'left'],
      ['top.bmp', 'top'],
    ];
    for (const [file, label] of cases) {
      const image = fixture(`07-predict-odd-images/${file}`);
      expect(await topLabel(modelId, image, file, 'raw'), file).toBe(label);
    }
  }, 240_000);
});

describe('06 image encodings', () => {
  it('decodes each probe with its true colour (CMYK, 16-bit, palette, grey+alpha, WebP)', async () => {
    const input: ImageInput = {
      kind: 'image',
      width: 4,
      height: 4,
      channels: 3,
      mean: [],
      std: [],
    };
    for (const [file, colour] of [
      ['probe-red-cmyk.jpg', 'red'],
      ['probe-red-webp.webp', 'red'],
      ['probe-blue-rgb16.png', 'blue'],
      ['probe-blue-palette.png', 'blue'],
      ['probe-grey-greyalpha.png', 'grey'],
    ] as const) {
      const pixels = await decodeImage(fixture(`06-image-encodings/${file}`), input);
      const mean = [0, 1, 2].map(
        (c) => pixels.filter((_, i) => i % 3 === c).reduce((a, b) => a + b) / 16,
      );
      const [r, g, b] = mean as [number, number, number];
      if (colour === 'red') expect(r, file).toBeGreaterThan(Math.max(g, b) + 100);
      if (colour === 'blue') expect(b, file).toBeGreaterThan(Math.max(r, g) + 100);
      if (colour === 'grey') expect(Math.max(r, g, b) - Math.min(r, g, b), file).toBeLessThan(8);
    }
  });

  it('validates every encoding, each counted by its format', async () => {
    const dataset = await uploadZip('encodings', fixture('06-image-encodings/encodings.zip'));
    expect(dataset.status).toBe('ready');
    expect(dataset.report!.errors).toEqual([]);
    expect(dataset.report!.warnings).toEqual([]);
    expect(dataset.report!.stats).toMatchObject({
      examples: 56,
      classes: { red: 20, blue: 20, grey: 16 },
      images: { formats: { jpeg: 34, png: 18, webp: 4 } },
    });
  });

  describe('with a GIF, a BMP and an iPhone HEIC added', () => {
    let dataset: Dataset;
    let modelId: string;
    beforeAll(async () => {
      dataset = await uploadZip(
        'encodings-plus',
        fixture('06-image-encodings/encodings-plus-gif-bmp-heic.zip'),
      );
      ({ modelId } = await trainModel(api.runtime, dataset, {
        architecture: { type: 'cnn', input_size: [8, 8], filters: [4] },
        hyperparameters: { epochs: 10, batch_size: 8, early_stopping: null },
      }));
    }, 120_000);

    it('uses the GIF and the BMP, and names the HEIC file, its format and how to convert it', () => {
      expect(dataset.status).toBe('ready');
      expect(dataset.report!.errors).toEqual([]);
      expect(dataset.report!.stats).toMatchObject({
        examples: 58,
        classes: { red: 21, blue: 21, grey: 16 },
        images: { formats: { jpeg: 34, png: 18, webp: 4, gif: 1, bmp: 1 } },
      });
      const warnings = dataset.report!.warnings as Issue[];
      expect(codes(warnings)).toEqual(['unsupported_image_format']);
      expect(warnings[0]!.where).toBe('red/IMG_4032.HEIC');
      expect(warnings[0]!.message).toMatch(
        /^red\/IMG_4032\.HEIC is HEIC \(iPhone's default photo format\), which this platform cannot decode; convert it to JPEG \(on macOS: .*sips -s format jpeg.*Settings > Camera > Formats > Most Compatible\).*; it was skipped$/,
      );
    });

    it('predicts each probe as its true colour', async () => {
      for (const [file, label] of [
        ['probe-red-cmyk.jpg', 'red'],
        ['probe-red-webp.webp', 'red'],
        ['probe-blue-rgb16.png', 'blue'],
        ['probe-blue-palette.png', 'blue'],
        ['probe-grey-greyalpha.png', 'grey'],
      ]) {
        const image = fixture(`06-image-encodings/${file!}`);
        expect(await topLabel(modelId, image, file!, 'multipart'), file).toBe(label);
      }
    });
  });
});

describe('formats by their bytes, not their names', () => {
  const stored = (background: string) =>
    sharp({ create: { width: 40, height: 30, channels: 3, background } });

  it('counts TIFF, AVIF, a PNG named .jpg, a JPEG named .png and swaps the sides of orientation 6', async () => {
    const heif = await stored('#d03030').avif().toBuffer();
    heif.write('mif1', 8, 'latin1');
    heif.write('mif1miafmiaf', 16, 'latin1');
    const zip = makeZip([
      { name: 'red/scan.tif', data: await stored('#d03030').tiff().toBuffer() },
      { name: 'red/photo.avif', data: await stored('#c02828').avif().toBuffer() },
      {
        name: 'red/sideways.jpg',
        data: await stored('#e02020').jpeg().withMetadata({ orientation: 6 }).toBuffer(),
      },
      { name: 'blue/really-a-png.jpg', data: await stored('#2030d0').png().toBuffer() },
      { name: 'blue/really-a-jpeg.png', data: await stored('#2828c0').jpeg().toBuffer() },
      { name: 'blue/camera.heif', data: heif },
      { name: 'blue/logo.svg', data: '<svg xmlns="http://www.w3.org/2000/svg" width="8"/>' },
    ]);
    const dataset = await uploadZip('variants', zip);
    expect(dataset.status).toBe('ready');
    expect(dataset.report!.errors).toEqual([]);
    expect(dataset.report!.stats).toMatchObject({
      examples: 5,
      images: {
        width: { min: 30, max: 40 },
        height: { min: 30, max: 40 },
        formats: { avif: 1, jpeg: 2, png: 1, tiff: 1 },
      },
    });
    const warnings = (dataset.report!.warnings as Issue[]).filter((w) => w.code !== 'few_examples');
    expect(warnings.map((w) => [w.code, w.where])).toEqual([
      ['unsupported_image_format', 'blue/camera.heif'],
      ['unsupported_image_format', 'blue/logo.svg'],
    ]);
    expect(warnings[0]!.message).toContain('blue/camera.heif is HEIF');
    expect(warnings[1]!.message).toContain('blue/logo.svg is SVG (a vector drawing)');
  });

  it('names a truncated file by its format, and never calls a known format "not an image"', async () => {
    const jpeg = await stored('#808080').jpeg().toBuffer();
    const dataset = await uploadZip(
      'truncated',
      makeZip([
        { name: 'a/whole.jpg', data: jpeg },
        { name: 'a/cut.jpg', data: jpeg.subarray(0, jpeg.length - 40) },
        { name: 'b/whole.jpg', data: await stored('#404040').jpeg().toBuffer() },
        { name: 'b/iphone.HEIC', data: fixture('07-predict-odd-images/photo.heic') },
      ]),
    );
    expect(dataset.status).toBe('invalid');
    const errors = dataset.report!.errors as Issue[];
    expect(errors.map((e) => [e.code, e.where])).toEqual([['unreadable_image', 'a/cut.jpg']]);
    expect(errors[0]!.message).toMatch(/^a\/cut\.jpg is a JPEG image that is truncated or corrupt/);
    expect(codes(dataset.report!.warnings as Issue[])).not.toContain('not_an_image');
  });
});
