import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/repo-root';
import { lintDockerfile, parseDockerfile } from './dockerfile-lint';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const rules = (text: string) => lintDockerfile(text).map((p) => p.rule);

describe.each([['infra/docker/train.Dockerfile'], ['infra/docker/infer.Dockerfile']])(
  '%s',
  (path) => {
    const text = read(path);
    const instructions = parseDockerfile(text);

    it('passes every lint rule', () => {
      expect(lintDockerfile(text)).toEqual([]);
    });

    it('installs from the lockfile, with the install script of its tfjs binding allowed', () => {
      const runs = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
      const prod = runs.find((r) => r.includes('npm ci --omit=dev'));
      expect(prod).toBeDefined();
      const binding = path.includes('train') ? 'tfjs-node-gpu' : 'tfjs-node';
      expect(prod).toContain(`'allowScripts.@tensorflow/${binding}=true'`);
      // The install must prove that libtensorflow and the native binding arrived.
      expect(prod).toContain(`@tensorflow/${binding}/deps/lib/libtensorflow.so.2`);
      expect(prod).toContain(`@tensorflow/${binding}/lib/napi-v*/tfjs_binding.node`);
      expect(text).toMatch(/cp package-lock\.json \/manifests\//);
    });

    it('pins Node 22 and npm 11 exactly', () => {
      expect(text).toMatch(/^ARG NODE_VERSION=22\.\d+\.\d+$/m);
      expect(text).toMatch(/^ARG NPM_VERSION=11\.\d+\.\d+$/m);
    });
  },
);

describe('the training image', () => {
  const text = read('infra/docker/train.Dockerfile');

  it('builds on CUDA 11.2 with cuDNN 8, for libtensorflow 2.9.1', () => {
    expect(text).toMatch(/^FROM nvidia\/cuda:11\.2\.\d+-cudnn8-runtime-ubuntu\S+ AS base$/m);
  });

  it('bundles the jobs/train entrypoint and runs it', () => {
    expect(text).toContain('infra/docker/bundle.mjs jobs/train/src/main.ts dist/train.mjs');
    expect(text).toMatch(/^ENTRYPOINT \[.*"dist\/train\.mjs"\]$/m);
  });
});

describe('the inference image', () => {
  const text = read('infra/docker/infer.Dockerfile');

  it('builds on the Lambda Node.js 22 base and names the bundled handler', () => {
    expect(text).toMatch(/^FROM public\.ecr\.aws\/lambda\/nodejs:22\.\S+ AS base$/m);
    expect(text).toContain('infra/docker/bundle.mjs functions/infer/src/lambda.ts dist/infer.mjs');
    expect(text).toMatch(/^CMD \["infer\.handler"\]$/m);
  });
});

describe('the lint rules catch', () => {
  const good = [
    'FROM node:22.22.0-bookworm-slim AS base',
    'WORKDIR /app',
    'COPY package.json package-lock.json ./',
    'RUN npm ci --omit=dev',
    'USER node',
    'HEALTHCHECK NONE',
    'CMD ["node", "main.js"]',
  ].join('\n');

  it('nothing in a good file', () => {
    expect(lintDockerfile(good)).toEqual([]);
  });

  it('unpinned and latest base images', () => {
    expect(rules(good.replace('node:22.22.0-bookworm-slim', 'node'))).toEqual(['pinned-base']);
    expect(rules(good.replace('22.22.0-bookworm-slim', 'latest'))).toEqual(['pinned-base']);
    expect(rules(good.replace('22.22.0-bookworm-slim', '22-slim'))).toEqual(['pinned-base']);
    const digest = `node:22-slim@sha256:${'a'.repeat(64)}`;
    expect(rules(good.replace('node:22.22.0-bookworm-slim', digest))).toEqual([]);
    // Shell-style ${ARG} references in FROM lines, resolved from the ARG defaults.
    const fromArg = good.replace('22.22.0', '$' + '{V}');
    expect(rules(`ARG V=22.22.0\n${fromArg}`)).toEqual([]);
    expect(rules(`ARG V=22\n${fromArg}`)).toEqual(['pinned-base']);
  });

  it('npm install instead of npm ci, and unpinned global installs', () => {
    expect(rules(good.replace('npm ci --omit=dev', 'npm install'))).toEqual(['npm-ci', 'npm-ci']);
    expect(rules(good.replace('npm ci', 'npm install -g npm && npm ci'))).toEqual([
      'pinned-global',
    ]);
    expect(rules(good.replace('npm ci', 'npm install -g npm@11.19.1 && npm ci'))).toEqual([]);
  });

  it('root, missing health checks, split RUN layers, shell-form commands, ADD', () => {
    expect(rules(good.replace('USER node', 'USER root'))).toEqual(['non-root']);
    expect(rules(good.replace('USER node\n', ''))).toEqual(['non-root']);
    expect(rules(good.replace('HEALTHCHECK NONE\n', ''))).toEqual(['healthcheck']);
    expect(rules(good.replace('RUN npm ci', 'RUN echo a\nRUN npm ci'))).toEqual(['combine-run']);
    expect(rules(good.replace('CMD ["node", "main.js"]', 'CMD node main.js'))).toEqual([
      'exec-form',
    ]);
    expect(rules(good.replace('COPY', 'ADD'))).toEqual(['no-add']);
    expect(rules(good.replace('RUN npm ci', 'RUN apt-get update\nCOPY x y\nRUN npm ci'))).toEqual([
      'apt',
    ]);
  });
});
