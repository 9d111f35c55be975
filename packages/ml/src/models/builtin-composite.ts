import {
  type BuiltinBaseBranch,
  declaredBytes,
  type TfjsWeightSpec,
  UnprocessableError,
} from '@trainyard/shared';

// No tfjs here either: the composition is written as Keras JSON and sliced weight bytes, so that
// `npm start` installs it without a tensor backend.

/** A Keras (2.x) functional model's layer entry in model.json. */
interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown[];
}

/** A packaged network's files as read from its npm package. */
export interface PackagedModel {
  readonly modelJson: Record<string, unknown>;
  readonly shards: ReadonlyArray<{ readonly path: string; readonly data: Uint8Array }>;
}

/** The layer names a Keras `inbound_nodes` entry refers to (`[[name, node, tensor, kwargs], …]`). */
function inboundNames(layer: KerasLayer): string[] {
  return (layer.inbound_nodes as unknown[][][]).flatMap((node) => node.map((t) => t[0] as string));
}

/** The layers `cut` depends on, `cut` included, in the config's order. */
function layersUpTo(layers: readonly KerasLayer[], cut: string): KerasLayer[] {
  const byName = new Map(layers.map((l) => [l.name, l]));
  if (!byName.has(cut)) {
    throw new UnprocessableError(`the packaged network has no layer ${cut} to cut at`, {
      code: 'builtin_base_unavailable',
    });
  }
  const kept = new Set<string>();
  const stack = [cut];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (kept.has(name)) continue;
    kept.add(name);
    stack.push(...inboundNames(byName.get(name)!));
  }
  return layers.filter((l) => kept.has(l.name));
}

/** Rewrites references to layer `from` in `layer`'s inbound nodes to `to`. */
function renameInbound(layer: KerasLayer, from: string, to: string): KerasLayer {
  const inbound_nodes = (layer.inbound_nodes as unknown[][][]).map((node) =>
    node.map((t) => (t[0] === from ? [to, ...t.slice(1)] : t)),
  );
  return { ...layer, inbound_nodes };
}

/** Largest shard the composition writes: TensorFlow.js's converter's default (4 MiB). */
const SHARD_BYTES = 4 * 1024 * 1024;

/**
 * Composes packaged Keras networks into one LayersModel that runs them side by side on one image:
 * an input `image` of `inputShape`; each branch's layers up to its `cut` (its own input layer
 * replaced by `image`); each cut's feature map pooled by `TrainyardGeneralizedMeanPooling2D` (p 3,
 * layer `<branch.name>_gem`); the poolings concatenated by `features`, the model's output. The
 * weights are the branches' own bytes (8-bit quantized as packaged), only those of the layers kept,
 * in one weight group of 4 MiB shards. Throws UnprocessableError (`builtin_base_unavailable`) when a
 * cut is missing or two branches share a kept layer's name.
 */
export function composeBranches(
  branches: ReadonlyArray<{ branch: BuiltinBaseBranch; files: PackagedModel }>,
  inputShape: readonly [number, number, number],
  name: string,
): PackagedModel {
  const layers: KerasLayer[] = [
    {
      name: 'image',
      class_name: 'InputLayer',
      config: {
        batch_input_shape: [null, ...inputShape],
        dtype: 'float32',
        sparse: false,
        name: 'image',
      },
      inbound_nodes: [],
    },
  ];
  const weights: TfjsWeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  for (const { branch, files } of branches) {
    const topology = files.modelJson.modelTopology as {
      model_config: { config: { layers: KerasLayer[]; input_layers: [string, number, number][] } };
    };
    const { layers: all, input_layers } = topology.model_config.config;
    const input = input_layers[0]![0];
    const kept = layersUpTo(all, branch.cut).filter((l) => l.name !== input);
    for (const layer of kept) {
      if (layers.some((l) => l.name === layer.name)) {
        throw new UnprocessableError(
          `built-in base ${name}: two of its networks have a layer named ${layer.name}`,
          { code: 'builtin_base_unavailable' },
        );
      }
      layers.push(renameInbound(layer, input, 'image'));
    }
    layers.push({
      name: `${branch.name}_gem`,
      class_name: 'TrainyardGeneralizedMeanPooling2D',
      config: { name: `${branch.name}_gem`, trainable: false, p: 3, epsilon: 1e-6 },
      inbound_nodes: [[[branch.cut, 0, 0, {}]]],
    });
    // The packaged weights, in manifest order, are one run of bytes across the group's shards.
    const keptNames = new Set(kept.map((l) => l.name));
    for (const group of files.modelJson.weightsManifest as Array<{
      paths: string[];
      weights: TfjsWeightSpec[];
    }>) {
      const data = concat(group.paths.map((p) => files.shards.find((s) => s.path === p)!.data));
      let at = 0;
      for (const spec of group.weights) {
        const size = declaredBytes(spec);
        if (keptNames.has(spec.name.split('/')[0]!)) {
          weights.push(spec);
          chunks.push(data.subarray(at, at + size));
        }
        at += size;
      }
    }
  }
  layers.push({
    name: 'features',
    class_name: 'Concatenate',
    config: { name: 'features', trainable: false, axis: -1 },
    inbound_nodes: [branches.map(({ branch }) => [`${branch.name}_gem`, 0, 0, {}])],
  });
  const data = concat(chunks);
  const count = Math.max(1, Math.ceil(data.length / SHARD_BYTES));
  const shards = Array.from({ length: count }, (_, i) => ({
    path: `group1-shard${i + 1}of${count}`,
    data: data.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES),
  }));
  const modelJson = {
    format: 'layers-model',
    modelTopology: {
      keras_version: '2.2.4',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Model',
        config: {
          name,
          layers,
          input_layers: [['image', 0, 0]],
          output_layers: [['features', 0, 0]],
        },
      },
    },
    weightsManifest: [{ paths: shards.map((s) => s.path), weights }],
  };
  return { modelJson, shards };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
