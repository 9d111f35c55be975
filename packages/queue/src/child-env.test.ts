import { loadConfig } from '@trainyard/shared';
import { describe, expect, it } from 'vitest';
import { trainerEnvironment } from './child-env';

describe('trainerEnvironment', () => {
  const platform = {
    S3_ENDPOINT: 'http://127.0.0.1:9000',
    AWS_ACCESS_KEY_ID: 'minioadmin',
    AWS_SECRET_ACCESS_KEY: 'minioadmin',
    S3_BUCKET: 'jobs',
  };

  it("gives the trainers the platform's S3 endpoint, bucket and credentials", () => {
    expect(trainerEnvironment(loadConfig(platform))).toMatchObject({
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_BUCKET: 'jobs',
      AWS_ACCESS_KEY_ID: 'minioadmin',
      AWS_SECRET_ACCESS_KEY: 'minioadmin',
    });
  });

  it('gives them LOCAL_TRAINER_S3_ENDPOINT instead when set, with the same bucket and credentials', () => {
    const env = trainerEnvironment(
      loadConfig({ ...platform, LOCAL_TRAINER_S3_ENDPOINT: 'http://127.0.0.1:9100' }),
    );
    expect(env).toMatchObject({
      S3_ENDPOINT: 'http://127.0.0.1:9100',
      S3_BUCKET: 'jobs',
      AWS_ACCESS_KEY_ID: 'minioadmin',
    });
  });

  it('takes only a URL as LOCAL_TRAINER_S3_ENDPOINT, naming it', () => {
    expect(() => loadConfig({ ...platform, LOCAL_TRAINER_S3_ENDPOINT: '127.0.0.1 9100' })).toThrow(
      /LOCAL_TRAINER_S3_ENDPOINT/,
    );
  });
});
