# syntax=docker/dockerfile:1
# The GPU training image for AWS Batch: the jobs/train entrypoint with @tensorflow/tfjs-node-gpu
# 4.22, whose libtensorflow 2.9.1 needs CUDA 11.2 and cuDNN 8.1 on x86_64, and Node 20 or 22.
# Build context: the repository root.
#   docker build --platform linux/amd64 -f infra/docker/train.Dockerfile -t trainyard-train .

# Node 22 (Node 20 reached end of life in April 2026); npm 11 as in development, so the root
# package.json's allowScripts policy means the same thing here.
ARG NODE_VERSION=22.22.0
ARG NPM_VERSION=11.19.1

# The official Node build, copied into the CUDA image below, which has no Node of its own.
FROM node:${NODE_VERSION}-bookworm-slim AS node

# Only the lockfile and the workspaces' package.json files, so that the npm ci layers below are
# rebuilt when dependencies change, not on every source edit.
FROM node AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp package-lock.json /manifests/ \
 && find . -name node_modules -prune -o -name package.json -print | xargs -I{} cp --parents {} /manifests/

# cuDNN 8.1.1 on CUDA 11.2.2: the versions libtensorflow 2.9.1 was built against.
FROM nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04 AS base
ARG NPM_VERSION
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && npm install --global --no-audit --no-fund "npm@${NPM_VERSION}" \
 && npm cache clean --force \
 && node --version && npm --version

# Bundles jobs/train (TypeScript) into one ESM file; npm packages stay external (bundle.mjs says why).
FROM base AS build
WORKDIR /app
COPY --from=manifests /manifests/ ./
# Scripts are not needed to bundle: esbuild's binary comes as an optional dependency.
RUN npm ci --ignore-scripts --include-workspace-root --workspace @trainyard/train --no-audit --no-fund
COPY . .
RUN node infra/docker/bundle.mjs jobs/train/src/main.ts dist/train.mjs

# Production dependencies of jobs/train only. npm 11 runs a dependency's install script only when
# the root package.json allows it; the GPU binding's script downloads libtensorflow, so allow it
# here (the root policy leaves it unreviewed because that download fails on offline machines), and
# deny the CPU binding's, whose second libtensorflow this image would never load.
FROM base AS prod-deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm pkg set 'allowScripts.@tensorflow/tfjs-node-gpu=true' 'allowScripts.@tensorflow/tfjs-node=false' --json \
 && npm ci --omit=dev --workspace @trainyard/train --no-audit --no-fund \
 && test -f node_modules/@tensorflow/tfjs-node-gpu/deps/lib/libtensorflow.so.2 \
 && ls node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v*/tfjs_binding.node \
 && rm -rf node_modules/@trainyard \
 && npm cache clean --force

FROM base AS runtime
ENV NODE_ENV=production \
    TFJS_BACKEND=tensorflow-gpu
WORKDIR /app
RUN groupadd --system --gid 10001 trainyard \
 && useradd --system --uid 10001 --gid trainyard --no-create-home trainyard
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER trainyard
# AWS Batch ignores Docker health checks: a job is judged by its exit code and the job timeout.
HEALTHCHECK NONE
# Reads JOB_ID and AWS_BATCH_JOB_ARRAY_INDEX, as the local runner's child processes do.
ENTRYPOINT ["node", "--enable-source-maps", "dist/train.mjs"]
