import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import yauzl from 'yauzl';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

/**
 * `npm run pack:predict`'s tarball of `@trainyard/predict` (built from the workspace, bundled),
 * written into `dir`; returns its path.
 */
export async function packPredict(dir: string): Promise<string> {
  await run(process.execPath, ['--import', 'tsx', 'packages/predict/scripts/build.ts'], {
    cwd: ROOT,
  });
  const { stdout } = await run(
    'npm',
    ['pack', './packages/predict/dist', '--pack-destination', dir, '--json'],
    { cwd: ROOT },
  );
  return join(dir, JSON.parse(stdout)[0].filename);
}

/** Writes every entry of the zip under `to`; returns the entry names. */
export function unzip(zip: Buffer, to: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => {
      if (error || !file) return reject(error);
      const names: string[] = [];
      file.on('error', reject);
      file.on('end', () => resolve(names));
      file.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        file.openReadStream(entry, async (err, stream) => {
          if (err || !stream) return reject(err);
          const chunks: Buffer[] = [];
          for await (const chunk of stream) chunks.push(chunk as Buffer);
          const target = join(to, entry.fileName);
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, Buffer.concat(chunks));
          file.readEntry();
        });
      });
      file.readEntry();
    });
  });
}
