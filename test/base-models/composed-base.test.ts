import * as tf from '@tensorflow/tfjs';
import {
  buildTransfer,
  ensureBuiltinBases,
  readBuiltinBaseFiles,
  selectBackend,
  unfreezeTop,
} from '@trainyard/ml';
import { GeneralizedMeanPooling2D, loadLayersModelFrom } from '@trainyard/predict';
import {
  type BuiltinBaseBranch,
  type BuiltinBaseModel,
  baseModelSchema,
  builtinBaseModel,
  builtinBaseRecord,
  keys,
  mulberry32,
} from '@trainyard/shared';
import { isolatedRuntime } from '@trainyard/testing';
import { loadBaseModel } from '@trainyard/train';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built-in base composed of two of nsfwjs's networks (bm_mobilenetv2inceptionv3), as the
// few-shot default uses it: assembled from the npm package when the store is first filled, loaded
// back by the trainer, and computing exactly what each network computes on its own, cut where the
// catalog says and GeM-pooled.

const ID = 'bm_mobilenetv2inceptionv3';
let fresh: Awaited<ReturnType<typeof isolatedRuntime>>;
beforeAll(async () => {
  fresh = await isolatedRuntime('ty-composed');
  await selectBackend({ preference: fresh.config.backend });
});
afterAll(() => fresh.dispose());

/** One network of the composition, loaded whole from its npm package. */
async function packaged(branch: BuiltinBaseBranch): Promise<tf.LayersModel> {
  const entry: BuiltinBaseModel = {
    ...builtinBaseModel('bm_mobilenetv2')!,
    id: 'bm_probe',
    source: branch.source,
    bytes: branch.bytes,
    layers: branch.layers,
  };
  const { modelJson, shards } = readBuiltinBaseFiles(entry);
  return loadLayersModelFrom(
    async (path) =>
      path === 'model.json'
        ? new TextEncoder().encode(JSON.stringify(modelJson))
        : shards.find((s) => s.path === path)!.data,
    entry.id,
  );
}

describe('the built-in base composed of MobileNetV2 and InceptionV3', () => {
  it('is installed into the store, and its features are each network cut at its layer, GeM-pooled, side by side', async () => {
    const base = builtinBaseModel(ID)!;
    expect(await ensureBuiltinBases(fresh.storage)).toContain(ID);
    expect(await fresh.storage.getJson(keys.baseModelRecord(ID), baseModelSchema)).toEqual(
      builtinBaseRecord(base, fresh.storage.bucket),
    );
    const { model, preprocess } = await loadBaseModel(fresh.storage, ID);
    expect(model.inputs[0]!.shape).toEqual([null, 160, 160, 3]);
    expect(model.outputs[0]!.shape).toEqual([null, 384 + 768]);
    expect(model.layers).toHaveLength(base.layers);
    expect(preprocess?.input).toMatchObject({ height: 160, width: 160, mean: [0, 0, 0] });
    // Only the weights up to the cuts were kept: nothing of MobileNetV2's block 11 on, nor of
    // InceptionV3's mixed5 on (their names would not load into these layers).
    const names = model.weights.map((w) => w.originalName);
    expect(names.some((n) => n.startsWith('block_10_depthwise/'))).toBe(true);
    expect(names.some((n) => /^block_1[1-6]_|^Conv_1|^mixed[5-9]|^dense/.test(n))).toBe(false);

    const random = mulberry32(7);
    const pictures = tf.tensor4d(
      Float32Array.from({ length: 2 * 160 * 160 * 3 }, () => random()),
      [2, 160, 160, 3],
    );
    const composed = (model.predict(pictures) as tf.Tensor).arraySync() as number[][];
    const gem = new GeneralizedMeanPooling2D({ p: 3 });
    const alone = async (branch: BuiltinBaseBranch) => {
      const { cut } = branch;
      const network = await packaged(branch);
      const { model: trunk } = buildTransfer({
        base: network,
        cutLayer: cut,
        inputSize: [160, 160],
        classes: 2,
      });
      const map = tf.model({
        inputs: trunk.inputs,
        outputs: trunk.getLayer(cut).output as tf.SymbolicTensor,
      });
      const pooled = gem.apply(map.predict(pictures) as tf.Tensor) as tf.Tensor;
      const values = pooled.arraySync() as number[][];
      network.dispose();
      return values;
    };
    // Each network of the catalog's entry (MobileNetV2, then InceptionV3), cut and pooled alone.
    expect(base.branches!.map((b) => b.cut)).toEqual(['block_10_depthwise_relu', 'mixed4']);
    const [mobilenet, inception] = [
      await alone(base.branches![0]!),
      await alone(base.branches![1]!),
    ];
    for (let i = 0; i < 2; i++) {
      const expected = [...mobilenet[i]!, ...inception[i]!];
      expect(composed[i]).toHaveLength(expected.length);
      const worst = Math.max(...expected.map((v, j) => Math.abs(v - composed[i]![j]!)));
      expect(worst).toBeLessThan(1e-4);
    }
    // Features that tell pictures apart: the two random pictures' vectors differ.
    expect(composed[0]).not.toEqual(composed[1]);

    // Fine-tuning its top layers trains through InceptionV3's batch norms, which have no gamma
    // (scale false): the unfrozen layers change, the frozen ones do not.
    const { model: transfer, baseLayers } = buildTransfer({
      base: model,
      cutLayer: 'features',
      classes: 2,
    });
    const unfrozen = unfreezeTop(transfer, baseLayers, 2);
    expect(unfrozen).toHaveLength(2);
    const frozenLayer = transfer.getLayer('Conv1');
    const before = (name: string) => transfer.getLayer(name).getWeights()[0]!.dataSync().slice();
    const [top0, conv1] = [before(unfrozen[0]!), before('Conv1')];
    transfer.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    await transfer.fit(
      pictures,
      tf.tensor2d([
        [1, 0],
        [0, 1],
      ]),
      { epochs: 1, verbose: 0 },
    );
    expect(before(unfrozen[0]!)).not.toEqual(top0);
    expect(Array.from(frozenLayer.getWeights()[0]!.dataSync())).toEqual(Array.from(conv1));
    transfer.dispose();
    model.dispose();
  });
});
