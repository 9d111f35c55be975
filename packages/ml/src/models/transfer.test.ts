import * as tf from '@tensorflow/tfjs';
import { builtinBaseModel } from '@trainyard/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasm } from '../backend/kernels/test-support';
import { ModelConfigError } from '../errors';
import { readBuiltinBaseFiles } from './builtin-bases';
import { buildTransfer, headOnly, type TransferArgs, unfreezeTop } from './transfer';

// buildTransfer on the real pretrained base that ships with the platform: nsfwjs's Keras
// MobileNetV2, read from the npm package.

let base: tf.LayersModel;
beforeAll(async () => {
  await useWasm();
  await tf.setBackend('wasm');
  const { modelJson, shards } = readBuiltinBaseFiles(builtinBaseModel('bm_mobilenetv2')!);
  const json = modelJson as unknown as tf.io.ModelJSON;
  base = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: shards[0]!.data.slice().buffer,
    }),
  );
}, 60_000);

/** A transfer model of `classes` classes on the MobileNetV2 base; the head as the defaults say. */
function args(classes: number, rest: Partial<TransferArgs> = {}): TransferArgs {
  return { base, classes, ...rest };
}

/** Images in [-1, 1] as the base's preprocessing makes them, with a spread of content. */
const images = (size: number) => tf.randomUniform([2, size, size, 3], -1, 1, 'float32', 5);
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

describe('buildTransfer on the built-in MobileNetV2', () => {
  it('freezes the base, whose features are then the same in a training step as at inference', () => {
    const { model, baseLayers } = buildTransfer(
      args(3, { cutLayer: 'out_relu', inputSize: [96, 96] }),
    );
    expect(model.layers.filter((l) => baseLayers.includes(l.name)).every((l) => !l.trainable)).toBe(
      true,
    );
    const { featureLayer } = headOnly(model);
    expect(featureLayer.name).toBe('out_relu');
    const features = tf.model({
      inputs: model.inputs,
      outputs: featureLayer.output as tf.SymbolicTensor,
    });
    const bn = model.getLayer('block_5_expand_BN');
    const moving = bn.getWeights().slice(2);
    const x = images(96);
    const inference = features.predict(x) as tf.Tensor;
    const training = features.apply(x, { training: true }) as tf.Tensor;
    expect(maxDiff(inference, tf.zeros(inference.shape))).toBeGreaterThan(0);
    expect(maxDiff(training, inference)).toBe(0);
    const after = bn.getWeights().slice(2);
    expect(maxDiff(after[0]!, moving[0]!) + maxDiff(after[1]!, moving[1]!)).toBe(0);
  });

  it('at another input size, cuts before the fixed 7×7 pooling and pools globally instead', () => {
    // The default cut (the classifier's input, past flatten_1) moves before the pooling.
    const { model, baseLayers } = buildTransfer(args(3, { inputSize: [96, 96] }));
    expect(model.inputs[0]!.shape).toEqual([null, 96, 96, 3]);
    expect(baseLayers.at(-1)).toBe('out_relu');
    expect(baseLayers).not.toContain('average_pooling2d_1');
    expect(headOnly(model).head.inputs[0]!.shape).toEqual([null, 3, 3, 1280]);
    expect((model.predict(images(96)) as tf.Tensor).shape).toEqual([2, 3]);
  });

  it('refuses a cut the job named past the fixed pooling at another size, rather than moving it', () => {
    let error: unknown;
    try {
      buildTransfer(args(3, { cutLayer: 'flatten_1', inputSize: [96, 96] }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelConfigError);
    expect((error as ModelConfigError).param).toBe('architecture.cut_layer');
    expect((error as Error).message).toBe(
      "architecture.cut_layer flatten_1 comes after the base's average_pooling2d_1, which works only at 224×224 inputs; at 96×96 name a cut_layer before average_pooling2d_1 (such as out_relu), or leave architecture.input_size out",
    );
  });

  it('at 224 the fixed pooling is a global one: out_relu features pooled equal flatten_1', () => {
    const x = images(224);
    const cutAt = (cutLayer: string) => {
      const { model } = buildTransfer(args(3, { cutLayer }));
      const { featureLayer } = headOnly(model);
      return tf.model({ inputs: model.inputs, outputs: featureLayer.output as tf.SymbolicTensor });
    };
    const flat = cutAt('flatten_1').predict(x) as tf.Tensor;
    const pooled = tf.mean(cutAt('out_relu').predict(x) as tf.Tensor, [1, 2]);
    expect(flat.shape).toEqual([2, 1280]);
    expect(maxDiff(flat, pooled)).toBeLessThan(1e-4);
  }, 60_000);

  it('trains a copy: unfreezing and training the new model leaves the base as it was', async () => {
    const { model, baseLayers } = buildTransfer(
      args(2, { cutLayer: 'out_relu', inputSize: [64, 64] }),
    );
    expect(unfreezeTop(model, baseLayers, 1)).toEqual(['Conv_1']);
    const before = base.getLayer('Conv_1').getWeights()[0]!.clone();
    const copyBefore = model.getLayer('Conv_1').getWeights()[0]!.clone();
    model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
    await model.fit(
      images(64),
      tf.tensor2d([
        [1, 0],
        [0, 1],
      ]),
      { epochs: 1, verbose: 0 },
    );
    expect(maxDiff(model.getLayer('Conv_1').getWeights()[0]!, copyBefore)).toBeGreaterThan(0);
    expect(maxDiff(base.getLayer('Conv_1').getWeights()[0]!, before)).toBe(0);
  }, 60_000);

  it('names the field when the cut or the input size cannot work', () => {
    expect(() => buildTransfer(args(2, { cutLayer: 'nope' }))).toThrow(ModelConfigError);
    expect(() => buildTransfer(args(2, { cutLayer: 'nope' }))).toThrow(
      /architecture.cut_layer "nope" is not a layer of the base model/,
    );
    let error: unknown;
    try {
      buildTransfer(args(2, { cutLayer: 'out_relu', inputSize: [8, 8] }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelConfigError);
    expect((error as ModelConfigError).param).toBe('architecture.input_size');
    expect((error as Error).message).toMatch(/8×8×3/);
  });
});
