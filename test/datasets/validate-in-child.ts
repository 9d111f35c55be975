// Validates one dataset in a process of its own and prints its peak RSS, for memory.test.ts.
import { validateDataset } from '@trainyard/datasets';
import { createRuntime, type Dataset, keys, loadConfig } from '@trainyard/shared';
import { z } from 'zod';

const [bucket, id] = process.argv.slice(2);
const runtime = createRuntime(
  loadConfig({ ...process.env, S3_BUCKET: bucket!, LOG_LEVEL: 'silent' }),
  'memtest',
);
const dataset = (await runtime.storage.getJson(keys.datasetMeta(id!), z.any())) as Dataset;
const head = await runtime.storage.head(keys.datasetRaw(id!));
// What the process holds before validating (Node, tsx's transforms, the SDK, the module graph).
const baselineRssMiB = process.memoryUsage().rss / 1024 / 1024;
const started = Date.now();
const outcome = await validateDataset(runtime.storage, dataset, head!.size);
process.stdout.write(
  `${JSON.stringify({
    status: outcome.status,
    examples: outcome.report.stats?.examples,
    errors: outcome.report.errors,
    seconds: (Date.now() - started) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    baselineRssMiB,
  })}\n`,
);
