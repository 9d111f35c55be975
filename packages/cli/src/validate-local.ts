import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { CreateDataset, DatasetReport } from '@trainyard/sdk';

/**
 * Runs the platform's own validators (`@trainyard/datasets`, what `POST …/complete` runs) on a
 * local file, against the embedded S3 server on a temporary folder: the same report the server
 * would give, nothing uploaded. The temporary folder is removed afterwards.
 */
export async function validateLocally(
  spec: CreateDataset,
  file: Blob,
): Promise<{ status: 'ready' | 'invalid'; report: DatasetReport }> {
  // The AWS SDK's notice about Node versions is not this command's business.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Loaded here: the validators (sharp, zip and CSV readers) are only needed by this command.
  const [{ validateDataset }, { openScratchRuntime }, shared] = await Promise.all([
    import('@trainyard/datasets'),
    import('@trainyard/local/runtime'),
    import('@trainyard/shared'),
  ]);
  // Its own environment: the embedded store even when S3_ENDPOINT is set.
  const runtime = await openScratchRuntime('validate', {
    bucket: 'trainyard-validate',
    env: { LOG_LEVEL: 'silent' },
  });
  try {
    const now = Math.floor(Date.now() / 1000);
    const dataset = {
      id: 'ds_local',
      object: 'dataset' as const,
      name: spec.name,
      task: spec.task,
      format: spec.format,
      label_column: spec.label_column ?? null,
      ...(spec.csv ? { csv: spec.csv } : {}),
      merge_near_duplicate_labels: spec.merge_near_duplicate_labels ?? false,
      status: 'validating' as const,
      created_at: now,
      updated_at: now,
      file: { bytes: file.size, etag: null },
      report: null,
    };
    const body = Readable.fromWeb(file.stream() as NodeReadableStream<Uint8Array>);
    await runtime.storage.upload(shared.keys.datasetRaw(dataset.id), body);
    const outcome = await validateDataset(runtime.storage, dataset as never, file.size);
    return { status: outcome.status, report: outcome.report as DatasetReport };
  } finally {
    await runtime.close();
  }
}
