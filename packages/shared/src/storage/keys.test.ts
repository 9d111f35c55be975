import { describe, expect, it } from 'vitest';
import { InternalError } from '../errors';
import { newId } from '../ids';
import { keys } from './keys';

describe('storage keys', () => {
  it('builds keys from well-formed ids', () => {
    const id = newId('ds');
    expect(keys.datasetMeta(id)).toBe(`datasets/${id}/dataset.json`);
    expect(keys.modelFile('model_abc', 'weights/group1-shard1of1.bin')).toBe(
      'models/model_abc/weights/group1-shard1of1.bin',
    );
    expect(keys.apiKey('0123456789ab')).toBe('auth/api-keys/0123456789ab.json');
  });

  it('refuses ids and paths that would leave their object', () => {
    const hostile: Array<() => string> = [
      () => keys.datasetMeta('../auth/api-keys/x'),
      () => keys.datasetMeta('ds_abc/../../auth'),
      () => keys.datasetMeta('model_abc'),
      () => keys.jobSpec('ftjob_ÀB'),
      () => keys.model(`model_${'a'.repeat(65)}`),
      () => keys.baseModelRecord('bm_'),
      () => keys.apiKey('../../datasets/x'),
      () => keys.modelFile('model_abc', '../../auth/api-keys/x.json'),
      () => keys.modelFile('model_abc', '/etc/passwd'),
      () => keys.datasetArtifact('ds_abc', 'a//b'),
      () => keys.idempotency('api', '../x'),
    ];
    for (const build of hostile) expect(build).toThrow(InternalError);
  });
});
