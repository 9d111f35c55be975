import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { DataError } from './errors';
import { loadPredictor, type ReadModelFile } from './load';
import type { Predictor, PredictorOptions } from './predictor';

// `@trainyard/predict/node`: model folders on disk.

/**
 * Files of the model folder `dir` (an unzipped download). Paths that would leave the folder throw
 * `DataError` (`invalid_model`); `model.json` is checked the same way before any shard is read.
 */
export function fromFolder(dir: string): ReadModelFile {
  return async (path) => {
    const clean = normalize(path);
    if (isAbsolute(clean) || clean.startsWith('..')) {
      throw new DataError(`model file ${JSON.stringify(path)} is outside ${dir}`, {
        code: 'invalid_model',
      });
    }
    return new Uint8Array(await readFile(join(dir, clean)));
  };
}

/** `loadPredictor(fromFolder(dir), options)`: an unzipped model, ready to predict. */
export function loadPredictorFromFolder(
  dir: string,
  options: PredictorOptions = {},
): Promise<Predictor> {
  return loadPredictor(fromFolder(dir), { where: dir, ...options });
}
