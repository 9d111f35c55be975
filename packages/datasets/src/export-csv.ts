import { datasetManifestSchema, keys, type Storage, UnprocessableError } from '@trainyard/shared';
import { csvCell } from './csv-values';
import { readShardRecords } from './shards';

/**
 * The rows of a ready tabular dataset as training sees them, as CSV: the header, then each row.
 * Every text cell goes through `csvCell`, so a cell such as `=HYPERLINK(…)` from the upload is
 * never handed back to a spreadsheet as a formula. Streams shard by shard.
 */
export async function* exportCsv(storage: Storage, id: string): AsyncGenerator<string> {
  const manifest = await storage.tryGetJson(keys.datasetManifest(id), datasetManifestSchema);
  if (!manifest) {
    throw new UnprocessableError(
      `Dataset ${id} is not ready; only ready datasets can be downloaded`,
      { code: 'dataset_not_ready' },
    );
  }
  if (manifest.kind !== 'table') {
    throw new UnprocessableError(
      `Dataset ${id} holds ${manifest.kind}; CSV download is for csv (tabular) datasets`,
      {
        param: 'format',
        code: 'not_tabular',
      },
    );
  }
  yield `${manifest.columns.map((c) => csvCell(c.name)).join(',')}\r\n`;
  for (const shard of manifest.shards) {
    let out = '';
    for (const row of await readShardRecords<Array<string | number | null>>(storage, shard)) {
      out += `${row.map(csvCell).join(',')}\r\n`;
    }
    yield out;
  }
}
