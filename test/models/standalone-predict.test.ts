import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { digitPng, iris, makeZip, mnistDigits, toCsv } from '@trainyard/testing';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InferServer, json, readyDataset, startInfer, trainModel } from '../infer/support';
import { startTestApi, type TestApi } from '../support/api';
import { packPredict, serveForBrowser, unzip } from './standalone-support';

// A downloaded model in an empty folder with nothing but the packed @trainyard/predict and
// @tensorflow/tfjs installed (npm, from its cache or the registry): the README's Node example runs
// as written, and a script on the same package answers what the inference endpoint answers.

const run = promisify(execFile);
let api: TestApi;
let infer: InferServer;
let work: string;
let tarball: string;
const models: Record<'iris' | 'digits', string> = {} as never;
const { header, rows } = iris();
const features = header.slice(0, 4);
const digits = mnistDigits([0, 1, 2], 12);
let pngs: Buffer[];
/** The clean folders, by model, once made. */
const folders: Partial<Record<'iris' | 'digits', string>> = {};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'trainyard-standalone-'));
  tarball = await packPredict(work);
  api = await startTestApi();
  const irisData = await readyDataset(
    api.runtime,
    { name: 'iris', task: 'tabular_classification', format: 'csv', label_column: 'species' },
    toCsv(header, rows),
  );
  models.iris = (
    await trainModel(api.runtime, irisData, {
      hyperparameters: { epochs: 10, early_stopping: null },
    })
  ).modelId;
  pngs = await Promise.all(digits.map(digitPng));
  const digitData = await readyDataset(
    api.runtime,
    { name: 'digits', task: 'image_classification', format: 'image_folder_zip' },
    makeZip(digits.map((d, i) => ({ name: `digits/${d.label}/${i}.png`, data: pngs[i]! }))),
  );
  models.digits = (
    await trainModel(api.runtime, digitData, {
      architecture: { type: 'cnn', input_size: [16, 16], filters: [4] },
      hyperparameters: { epochs: 1, batch_size: 16, early_stopping: null },
    })
  ).modelId;
  infer = await startInfer(api.runtime);
}, 240_000);
afterAll(async () => {
  await infer?.close();
  await api?.close();
  await rm(work, { recursive: true, force: true });
});

/** The model's download unzipped into a new empty folder, with the two packages installed. */
async function cleanFolder(modelId: string): Promise<string> {
  const res = await api.call(`/v1/models/${modelId}/download`);
  expect(res.status).toBe(200);
  const folder = await mkdtemp(join(work, `${modelId}-`));
  expect(await readdir(folder)).toEqual([]);
  await unzip(Buffer.from(await res.arrayBuffer()), folder);
  // As the README says, with the packed tarball for the package name (it is not on npm yet).
  await run('npm', ['init', '-y'], { cwd: folder });
  await run('npm', ['pkg', 'set', 'type=module'], { cwd: folder });
  await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, '@tensorflow/tfjs@^4.22.0'],
    { cwd: folder, timeout: 180_000 },
  );
  const installed = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')).dependencies;
  expect(Object.keys(installed).sort()).toEqual(['@tensorflow/tfjs', '@trainyard/predict']);
  return folder;
}

/** `script` run by Node in `folder`; its stdout parsed as JSON. */
async function node(folder: string, name: string, script: string) {
  await writeFile(join(folder, name), script);
  const { stdout } = await run(process.execPath, [name], { cwd: folder, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

type Answer = Array<Array<{ label: string; score: number }>>;
function maxDifference(a: Answer, b: Answer): number {
  expect(a.map((p) => p.map((c) => c.label))).toEqual(b.map((p) => p.map((c) => c.label)));
  return Math.max(...a.flatMap((p, i) => p.map((c, k) => Math.abs(c.score - b[i]![k]!.score))));
}

const SCORE = `import { readFile } from 'node:fs/promises';
import { loadPredictorFromFolder } from '@trainyard/predict/node';
const predictor = await loadPredictorFromFolder('.');
const body = JSON.parse(await readFile('request.json', 'utf8'));
const files = (body.files ?? []).map((b64, i) => ({ bytes: Buffer.from(b64, 'base64'), param: \`image[\${i}]\` }));
const inputs = files.length ? { form: 'images', images: files } : { form: 'json', inputs: body.inputs };
console.log(JSON.stringify(await predictor.predict(inputs, { top_k: 3 })));
`;

describe('a downloaded model with only @trainyard/predict and @tensorflow/tfjs', () => {
  it('tabular: the README’s Node example runs as written, and every iris row scores as the endpoint does (1e-5)', async () => {
    const folder = await cleanFolder(models.iris);
    folders.iris = folder;
    const readme = await readFile(join(folder, 'README.md'), 'utf8');
    const example = readme.match(/```js\n([\s\S]*?)```/)![1]!;
    expect(example).toContain("from '@trainyard/predict/node'");
    expect(example.split('\n').length).toBeLessThanOrEqual(12);
    const fromReadme = await node(folder, 'predict.js', example);
    const exampleInputs = JSON.parse(example.match(/inputs: (\[.*\]) \}/)![1]!);
    expect(Object.keys(exampleInputs[0])).toEqual(features);
    const endpoint = await json(
      await infer.predictJson(models.iris, { inputs: exampleInputs, top_k: 3 }),
    );
    expect(maxDifference(fromReadme, endpoint.predictions)).toBeLessThan(1e-5);

    const inputs = rows.map((r) => Object.fromEntries(features.map((f, i) => [f, r[i]])));
    await writeFile(join(folder, 'request.json'), JSON.stringify({ inputs }));
    const standalone = await node(folder, 'score.js', SCORE);
    const served = await json(await infer.predictJson(models.iris, { inputs, top_k: 3 }));
    expect(standalone).toHaveLength(150);
    expect(maxDifference(standalone, served.predictions)).toBeLessThan(1e-5);
  }, 240_000);

  it('image: PNGs at the model’s size score as the endpoint does, decoded in pure JavaScript (1e-5)', async () => {
    const folder = await cleanFolder(models.digits);
    const readme = await readFile(join(folder, 'README.md'), 'utf8');
    expect(readme).toContain("readFile('photo.jpg')");
    // At the model's 16×16: the portable decoder resamples otherwise than sharp (README).
    const files = await Promise.all(
      pngs.slice(0, 9).map((p) => sharp(p).resize(16, 16).greyscale().png().toBuffer()),
    );
    await writeFile(
      join(folder, 'request.json'),
      JSON.stringify({ files: files.map((f) => f.toString('base64')) }),
    );
    const standalone = await node(folder, 'score.js', SCORE);
    const form = new FormData();
    for (const f of files) form.append('image', new Blob([f], { type: 'image/png' }), 'x.png');
    form.append('top_k', '3');
    const served = await json(await infer.predict(models.digits, { body: form }));
    expect(standalone).toHaveLength(9);
    expect(maxDifference(standalone, served.predictions)).toBeLessThan(1e-5);
  }, 240_000);

  it('tabular in headless Chromium: the README’s browser example, served with the folder, scores as the endpoint does (1e-5)', async () => {
    const folder = folders.iris ?? (await cleanFolder(models.iris));
    const readme = await readFile(join(folder, 'README.md'), 'utf8');
    const example = [...readme.matchAll(/```js\n([\s\S]*?)```/g)][1]![1]!;
    expect(example).toContain("from '@trainyard/predict'");
    const site = await serveForBrowser(
      folder,
      models.iris,
      `${example}\nwindow.result = predictions;\n`,
    );
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
      await page.goto(site.url);
      await page
        // Page-side code as strings: this file is type-checked without the DOM library.
        .waitForFunction("'result' in window || document.title === 'error'", null, {
          timeout: 30_000,
        })
        .catch(() => undefined);
      expect(errors).toEqual([]);
      const fromBrowser = (await page.evaluate('window.result')) as Answer;
      const exampleInputs = JSON.parse(example.match(/inputs: (\[.*\]) \}/)![1]!);
      const served = await json(await infer.predictJson(models.iris, { inputs: exampleInputs }));
      expect(fromBrowser).toHaveLength(1);
      expect(maxDifference(fromBrowser, served.predictions)).toBeLessThan(1e-5);
    } finally {
      await browser.close();
      await site.close();
    }
  }, 240_000);
});
