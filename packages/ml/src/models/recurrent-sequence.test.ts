import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRU_SEQUENCE, GRU_SEQUENCE_GRAD } from '../backend/kernels/gru';
import { LSTM_SEQUENCE, LSTM_SEQUENCE_GRAD } from '../backend/kernels/lstm';
import { useWasm } from '../backend/kernels/test-support';
import { GRU, gru } from './gru';
import { LSTM, lstm } from './lstm';
import { recurrentCasesAgreeWithCpu, step } from './recurrent-sequence-cases';

beforeAll(useWasm);
afterAll(() => tf.setBackend('wasm'));

type LstmArgs = Parameters<typeof lstm>[0];

const LAYERS = [
  {
    name: 'LSTM',
    make: lstm as (args: LstmArgs) => tf.layers.Layer,
    cls: LSTM as unknown,
    plain: tf.layers.lstm as (args: LstmArgs) => tf.layers.Layer,
    kernels: [LSTM_SEQUENCE, LSTM_SEQUENCE_GRAD],
  },
  {
    name: 'GRU',
    make: gru as (args: LstmArgs) => tf.layers.Layer,
    cls: GRU as unknown,
    plain: tf.layers.gru as (args: LstmArgs) => tf.layers.Layer,
    kernels: [GRU_SEQUENCE, GRU_SEQUENCE_GRAD],
  },
] as const;

for (const { name, make, cls, plain: plainLayer, kernels } of LAYERS) {
  describe(`${name} as one fused kernel on wasm matches tfjs-layers on cpu`, () => {
    recurrentCasesAgreeWithCpu(make);

    it('runs as the two kernels on wasm, no per-step ops', async () => {
      await tf.setBackend('wasm');
      const { kernelNames } = await tf.profile(() => {
        for (const t of step(make, [2, 6, 4], {})) t.dispose();
      });
      expect(kernelNames).toContain(kernels[0]);
      expect(kernelNames).toContain(kernels[1]);
      expect(kernelNames).not.toContain('SplitV');
    });

    it('falls back to tfjs-layers where it does not apply (recurrent dropout)', async () => {
      await tf.setBackend('wasm');
      const { kernelNames } = await tf.profile(() => {
        for (const t of step(make, [2, 6, 4], { recurrentDropout: 0.5 })) t.dispose();
      });
      expect(kernelNames).not.toContain(kernels[0]);
    });
  });

  describe(`a model with the fused ${name}`, () => {
    it(`saves as a plain ${name} that plain tfjs (another process, cpu) loads with the same outputs`, async () => {
      await tf.setBackend('wasm');
      const model = tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 5 }),
          make({ units: 3, recurrentActivation: 'sigmoid' }),
          tf.layers.dense({ units: 2, activation: 'softmax' }),
        ],
      });
      model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      const ids = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 5], 'int32');
      await model.fit(ids, tf.tensor1d([0, 1]), { epochs: 3, verbose: 0 });
      const expected = Array.from(await (model.predict(ids) as tf.Tensor).data());
      let artifacts: tf.io.ModelArtifacts | undefined;
      await model.save(
        tf.io.withSaveHandler(async (a) => {
          artifacts = a;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      const topology = artifacts!.modelTopology as {
        config: { layers: { class_name: string; config: Record<string, unknown> }[] };
      };
      const saved = topology.config.layers[1]!;
      expect(saved.class_name).toBe(name);
      // The same config keys as tfjs's own LSTM writes.
      const plain = tf.sequential({
        layers: [
          tf.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 5 }),
          plainLayer({ units: 3 }),
        ],
      });
      const plainJson = plain.toJSON(null, false) as typeof topology;
      const plainConfig = Object.keys(plainJson.config.layers[1]!.config);
      expect(Object.keys(saved.config).sort()).toEqual(plainConfig.sort());
      plain.dispose();
      expect(
        artifacts!.weightSpecs!.map((s) => s.name).filter((n) => n.includes(name.toLowerCase())),
      ).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/kernel$/),
          expect.stringMatching(/recurrent_kernel$/),
          expect.stringMatching(/bias$/),
        ]),
      );

      // Round trip here: built as our class, same outputs.
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
      expect(loaded.layers[1]).toBeInstanceOf(cls as typeof LSTM);
      const again = Array.from(await (loaded.predict(ids) as tf.Tensor).data());
      expect(again).toEqual(expected.map((v) => expect.closeTo(v, 5)));

      // Plain tfjs in another process, on cpu.
      const dir = mkdtempSync(join(os.tmpdir(), 'trainyard-recurrent-'));
      try {
        writeFileSync(join(dir, 'model.json'), JSON.stringify(artifacts!.modelTopology));
        writeFileSync(join(dir, 'specs.json'), JSON.stringify(artifacts!.weightSpecs));
        writeFileSync(
          join(dir, 'weights.bin'),
          new Uint8Array(artifacts!.weightData as ArrayBuffer),
        );
        const script = `
        const tf = require('@tensorflow/tfjs');
        const fs = require('fs');
        const d = ${JSON.stringify(dir)};
        (async () => {
          await tf.setBackend('cpu');
          const bin = fs.readFileSync(d + '/weights.bin');
          const model = await tf.loadLayersModel(tf.io.fromMemory(
            JSON.parse(fs.readFileSync(d + '/model.json', 'utf8')),
            JSON.parse(fs.readFileSync(d + '/specs.json', 'utf8')),
            bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength)));
          const ids = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 5], 'int32');
          console.log(JSON.stringify(Array.from(model.predict(ids).dataSync())));
        })();`;
        const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
        const plain = JSON.parse(out.trim().split('\n').at(-1)!) as number[];
        expect(plain).toEqual(expected.map((v) => expect.closeTo(v, 4)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      tf.dispose([model, loaded] as never);
    }, 60_000);
  });
}
