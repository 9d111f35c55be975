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

  it('lays out events, shards, checkpoints and trials under their resource', () => {
    expect(keys.jobEvent('ftjob_abc', 'evt_0a_w_000001', 'job.started')).toBe(
      'jobs/ftjob_abc/events/evt_0a_w_000001.job.started.json',
    );
    expect(keys.datasetShard('ds_abc', 'images', 3, 'bin')).toBe(
      'datasets/ds_abc/normalized/images-00003.bin',
    );
    expect(keys.datasetShard('ds_abc', 'images', 3, 'bin', 'index')).toBe(
      'datasets/ds_abc/normalized/images-00003.index.json',
    );
    expect(keys.jobCheckpoint('ftjob_abc', 'train-epoch-0001')).toBe(
      'jobs/ftjob_abc/checkpoints/train-epoch-0001/',
    );
    expect(keys.jobTrialModel('ftjob_abc', 2)).toBe('jobs/ftjob_abc/trials/0002/model/');
    const claim = keys.jobTrialClaim('ftjob_abc', 2, 1, 36 ** 8, 'w0x');
    expect(claim).toBe('jobs/ftjob_abc/trials/0002/claims/0001-100000000-w0x');
    expect(claim.startsWith(keys.jobTrialClaims('ftjob_abc', 2, 1))).toBe(true);
    expect(keys.inFolder(keys.baseModel('bm_abc'), 'model.json')).toBe(
      keys.baseModelFile('bm_abc', 'model.json'),
    );
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
      () => keys.jobEvent('ftjob_abc', 'evt_1/../../x', 'job.started'),
      () => keys.jobCheckpoint('ftjob_abc', '../trials'),
      () => keys.jobTrialClaim('ftjob_abc', 0, 1, Date.now(), 'w/x'),
      () => keys.datasetShard('ds_abc', 'rows/..', 0, 'jsonl'),
      () => keys.inFolder('elsewhere/', 'model.json'),
      () => keys.inFolder(keys.model('model_abc'), '../model_xyz/model.json'),
    ];
    for (const build of hostile) expect(build).toThrow(InternalError);
  });
});
