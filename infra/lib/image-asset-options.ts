import { IgnoreMode } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';

/**
 * How both images are built from the repository root: for x86_64 (libtensorflow has no arm64
 * build), reading the root `.dockerignore` the Docker way. Building happens at deploy time;
 * synth only fingerprints the context, so it needs no Docker engine.
 */
export function imageAssetOptions(dockerfile: string): ecrAssets.DockerImageAssetOptions {
  return {
    file: dockerfile,
    platform: ecrAssets.Platform.LINUX_AMD64,
    ignoreMode: IgnoreMode.DOCKER,
    target: 'runtime',
  };
}
