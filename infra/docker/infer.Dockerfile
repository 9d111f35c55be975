# syntax=docker/dockerfile:1
# The inference function as a Lambda container image: functions/infer with @tensorflow/tfjs-node
# (libtensorflow alone is over the 250 MB limit of a zip deployment). x86_64 only: tfjs-node ships
# no linux-arm64 libtensorflow. Build context: the repository root.
#   docker build --platform linux/amd64 -f infra/docker/infer.Dockerfile -t trainyard-infer .

ARG NODE_VERSION=22.22.0
ARG NPM_VERSION=11.19.1

# Bundling needs only Node; the runtime's Node comes from the Lambda base image below.
FROM node:${NODE_VERSION}-bookworm-slim AS node

# Only the lockfile and the workspaces' package.json files, so that the npm ci layers below are
# rebuilt when dependencies change, not on every source edit.
FROM node AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp package-lock.json /manifests/ \
 && find . -name node_modules -prune -o -name package.json -print | xargs -I{} cp --parents {} /manifests/

# Bundles functions/infer (TypeScript) into one ESM file; npm packages stay external (bundle.mjs
# says why). Scripts are not needed to bundle: esbuild's binary comes as an optional dependency.
FROM node AS build
ARG NPM_VERSION
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm install --global --no-audit --no-fund "npm@${NPM_VERSION}" \
 && npm ci --ignore-scripts --include-workspace-root --workspace @trainyard/infer --no-audit --no-fund
COPY . .
RUN node infra/docker/bundle.mjs functions/infer/src/lambda.ts dist/infer.mjs

# The AWS Lambda Node.js 22 base image (runtime interface client included), by its dated tag.
FROM public.ecr.aws/lambda/nodejs:22.2025.07.02.12-x86_64 AS base

# Production dependencies of the inference function and the ML package. npm 11 runs a dependency's
# install script only when the root package.json allows it; the CPU binding's script downloads
# libtensorflow, so allow it here, and deny the GPU binding's, which Lambda could never use.
FROM base AS prod-deps
ARG NPM_VERSION
WORKDIR /build
COPY --from=manifests /manifests/ ./
RUN npm install --global --no-audit --no-fund "npm@${NPM_VERSION}" \
 && npm pkg set 'allowScripts.@tensorflow/tfjs-node=true' 'allowScripts.@tensorflow/tfjs-node-gpu=false' --json \
 && npm ci --omit=dev --workspace @trainyard/infer --workspace @trainyard/ml --no-audit --no-fund \
 && test -f node_modules/@tensorflow/tfjs-node/deps/lib/libtensorflow.so.2 \
 && ls node_modules/@tensorflow/tfjs-node/lib/napi-v*/tfjs_binding.node \
 && rm -rf node_modules/@trainyard \
 && npm cache clean --force

FROM base AS runtime
ENV NODE_ENV=production \
    TFJS_BACKEND=tensorflow
COPY --from=prod-deps /build/node_modules ${LAMBDA_TASK_ROOT}/node_modules
COPY --from=build /app/dist/ ${LAMBDA_TASK_ROOT}/
# Lambda runs functions as its own unprivileged user whatever the image says; this makes a local
# run (docker run with the bundled runtime interface emulator) unprivileged too.
USER 65534:65534
# Lambda has no Docker health check; an unhealthy function fails its invocations instead.
HEALTHCHECK NONE
CMD ["infer.handler"]
