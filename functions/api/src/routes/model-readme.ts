import type { Preprocess } from '@trainyard/shared';

/** The inputs the README's examples predict on: one that fits this model, in JavaScript. */
function exampleInputs(pre: Preprocess): { node: string; browser: string } {
  const input = pre.input;
  if (input.kind === 'image') {
    return {
      node: "{ form: 'images', images: [{ bytes: await readFile('photo.jpg'), param: 'photo.jpg' }] }",
      browser:
        "{ form: 'images', images: [{ bytes: new Uint8Array(await (await fetch('photo.jpg')).arrayBuffer()), param: 'photo.jpg' }] }",
    };
  }
  let example: unknown;
  if (input.kind === 'text') example = ['Replace this with a text to classify'];
  else {
    const row: Record<string, unknown> = {};
    for (const column of input.columns) {
      row[column.name] =
        column.type === 'numeric'
          ? Number(column.mean.toPrecision(3))
          : (column.categories[0] ?? null);
    }
    example = [row];
  }
  const json = `{ form: 'json', inputs: ${JSON.stringify(example)} }`;
  return { node: json, browser: json };
}

/**
 * The README of a downloaded model: what the files are, and a Node and a browser example that
 * predict with `@trainyard/predict` on an input that fits this model (a row of column means and
 * first categories, a text, or a photo). The Node example runs as it is in the unzipped folder, with the package installed from the
 * tarball `npm run pack:predict` packs (it is not on npm).
 */
export function modelReadme(model: { id: string; name: string }, pre: Preprocess): string {
  const inputs = exampleInputs(pre);
  const image = pre.input.kind === 'image';
  const answers = pre.labels
    ? 'each input gets its classes best first: `[{ "label": "…", "score": 0.93 }, …]`'
    : 'each input gets `[{ "value": … }]`, in the target’s units';
  return `# ${model.name} (${model.id})

A Trainyard model: a TensorFlow.js LayersModel (\`model.json\` + weight shards), with
\`preprocess.json\` (how inputs are encoded and the output labels), \`card.json\` (how it was
made) and \`metrics.json\` (its validation scores). \`@trainyard/predict\` runs it with the very
preprocessing and code the Trainyard inference endpoint runs, so it answers what
\`POST /v1/models/${model.id}/predict\` answers.

## Node (20 or newer), in this folder

\`@trainyard/predict\` is not published on npm (a package of that name there is not Trainyard's):
build it from the Trainyard repository, where \`npm run pack:predict\` writes
\`trainyard-predict-<version>.tgz\`, and install that file:

\`\`\`sh
(cd /path/to/trainyard && npm ci && npm run pack:predict)   # prints the .tgz it wrote
npm init -y > /dev/null && npm pkg set type=module
npm install /path/to/trainyard/trainyard-predict-<version>.tgz @tensorflow/tfjs
\`\`\`

\`\`\`js
${image ? "import { readFile } from 'node:fs/promises';\n" : ''}import { loadPredictorFromFolder } from '@trainyard/predict/node';

const predictor = await loadPredictorFromFolder('.'); // model.json, weights, preprocess.json
const inputs = ${inputs.node};
const predictions = await predictor.predict(inputs, { top_k: 3 });
console.log(JSON.stringify(predictions));
\`\`\`

Saved as \`predict.js\`, \`node predict.js\` prints the answers: ${answers}.${
    image
      ? ' Images decode in pure JavaScript (PNG, JPEG); with `sharp` installed, pass `{ imageDecoder: sharpImageDecoder }` (from `@trainyard/predict/sharp`) as the second argument of `loadPredictorFromFolder` to decode every format the endpoint takes, exactly as it does.'
      : ''
  }

## Browser (or a worker), with the folder served beside the page

\`\`\`js
import * as tf from '@tensorflow/tfjs';
import { fromUrl, loadPredictor } from '@trainyard/predict';

await tf.setBackend('cpu'); // or 'webgl'; 'wasm' with @tensorflow/tfjs-backend-wasm
const predictor = await loadPredictor(fromUrl('./${model.id}/'));
const predictions = await predictor.predict(${inputs.browser});
\`\`\`

A bad input throws \`ModelInputError\` (an unusable image \`UnusableInputError\`), whose message
names the input and what this model expects, as the endpoint's 400 and 422 answers do.
`;
}
