// `npm run start:edge`: the inference function's Worker build in workerd on INFER_EDGE_PORT
// (default 8789), against the store `npm start` uses (the embedded one, or S3_ENDPOINT).
import { startEdgeServer } from '@trainyard/infer/edge-server';
import { loadConfigOrExit } from '@trainyard/shared';
import { openLocalRuntime } from './open-runtime';

const config = loadConfigOrExit();
const runtime = await openLocalRuntime(config, 'infer-edge');
const port = Number(process.env.INFER_EDGE_PORT ?? 8789);
const passed = Object.fromEntries(
  Object.entries(process.env).filter(
    (e): e is [string, string] => /^(INFER_|LOG_LEVEL|MAX_|BODY_)/.test(e[0]) && e[1] !== undefined,
  ),
);
const server = await startEdgeServer(runtime.config.s3, {
  port,
  host: config.http.host,
  env: passed,
});
console.log(
  `edge inference (workerd) on ${server.url}: Worker bundle ${(server.bundleBytes / 1024).toFixed(0)} KiB`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await server.close();
    await runtime.close();
    process.exit(0);
  });
}
