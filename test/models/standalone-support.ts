import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, normalize } from 'node:path';
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

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.html': 'text/html',
  '.bin': 'application/octet-stream',
};

/**
 * A page at `/` that runs `script` as a module, with the model folder served at `/<modelId>/`
 * (as the README's browser example expects) and the folder's installed packages mapped by an
 * import map (`@trainyard/predict`, `@tensorflow/tfjs`'s ESM bundle).
 */
export async function serveForBrowser(folder: string, modelId: string, script: string) {
  const page = `<!doctype html><meta charset="utf-8"><script type="importmap">${JSON.stringify({
    imports: {
      '@tensorflow/tfjs': '/node_modules/@tensorflow/tfjs/dist/tf.fesm.js',
      '@trainyard/predict': '/node_modules/@trainyard/predict/index.js',
    },
  })}</script><script>addEventListener('error', () => { document.title = 'error'; });</script>
<script type="module">
${script}
</script>`;
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    const file = path.startsWith(`/${modelId}/`)
      ? join(folder, path.slice(modelId.length + 2))
      : path.startsWith('/node_modules/')
        ? join(folder, path)
        : undefined;
    const body = file && (await readFile(file).catch(() => undefined));
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    const type = TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
