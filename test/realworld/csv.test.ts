import type { Dataset } from '@trainyard/shared';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InferServer, startInfer, trainModel } from '../infer/support';
import { body, startTestApi, type TestApi } from '../support/api';
import { type Issue, realworldFixture, submitDataset } from '../support/realworld';

// Real-world CSVs (cases 08-12 of test/fixtures/realworld) and variants of their kinds, uploaded
// and validated through the API on the real S3 endpoint; small models trained by the real trainer
// and asked over HTTP.

const fixture = realworldFixture;

let api: TestApi;
let infer: InferServer;
beforeAll(async () => {
  api = await startTestApi();
  infer = await startInfer(api.runtime);
});
afterAll(async () => {
  await infer?.close();
  await api?.close();
});

async function create(spec: Record<string, unknown>): Promise<Response> {
  return api.call('/v1/datasets', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'realworld', task: 'tabular_classification', ...spec }),
  });
}

/** Creates a csv dataset, uploads `file` through the API and validates it. */
const submit = (
  file: string | Uint8Array,
  spec: Record<string, unknown>,
): Promise<Dataset & { report: { warnings: Issue[]; errors: Issue[] } }> =>
  submitDataset(
    api,
    { name: 'realworld', task: 'tabular_classification', format: 'csv', ...spec },
    file,
  );

const column = (dataset: Dataset, name: string) =>
  dataset.report!.stats!.columns!.find((c) => c.name === name)!;
const issues = (list: Issue[], code: string) => list.filter((i) => i.code === code);

async function predict(modelId: string, inputs: unknown[]) {
  const res = await infer.predictJson(modelId, { inputs });
  const answer = await body(res);
  return { status: res.status, body: answer };
}
const scoreOf = (prediction: Array<{ label: string; score: number }>, label: string) =>
  prediction.find((p) => p.label === label)!.score;

describe('case 08: an Excel "CSV UTF-8" export (BOM, CRLF, quoted commas and line breaks)', () => {
  it('validates 60 rows with numeric Age and BMI, and hands the notes back intact', async () => {
    const file = fixture('08-csv-excel-bom-quoted/patients.csv');
    const source = parse(file, { bom: true, columns: true }) as Record<string, string>[];
    const dataset = await submit(file, { label_column: 'Outcome' });
    expect(dataset.status).toBe('ready');
    expect(dataset.report.stats).toMatchObject({
      examples: 60,
      classes: { No: 30, Yes: 30 },
      csv: { delimiter: ',', quote: '"', decimal: '.', encoding: 'utf-8' },
    });
    expect(column(dataset, 'Age').type).toBe('numeric');
    expect(column(dataset, 'BMI')).toMatchObject({
      type: 'numeric',
      numeric: { min: Math.min(...source.map((r) => Number(r.BMI))) },
    });
    const rows = parse(await (await api.call(`/v1/datasets/${dataset.id}/rows.csv`)).text(), {
      columns: true,
    }) as Record<string, string>[];
    expect(rows.map((r) => r.Notes)).toEqual(source.map((r) => r.Notes));
    expect(rows.some((r) => r.Notes!.includes('\n'))).toBe(true);
    // Notes that mention numbers ("follow-up in 3 months") are text, with no false alarm.
    expect(issues(dataset.report.warnings, 'numeric_looking_text')).toEqual([]);
  });
});

describe('case 09: ";" delimiter and decimal commas (German Excel)', () => {
  const file = fixture('09-csv-semicolon-decimal-comma/iris-de.csv');
  const text = file.toString('utf8').replace(/^\uFEFF/, '');
  const [head, ...lines] = text.trim().split(/\r?\n/);
  const header = head!.split(';');

  it('reads the delimiter and the decimal mark, and the four measures as numbers', async () => {
    const dataset = await submit(file, { label_column: 'Art' });
    expect(dataset.status).toBe('ready');
    expect(dataset.report.stats!.csv).toEqual({
      delimiter: ';',
      quote: '"',
      decimal: ',',
      thousands: null,
      encoding: 'utf-8',
      sniffed: ['delimiter', 'decimal', 'encoding'],
    });
    expect(dataset.report.stats!.classes).toEqual({ setosa: 20, versicolor: 20, virginica: 20 });
    for (const [i, name] of header.slice(0, 4).entries()) {
      const values = lines.map((l) => Number(l.split(';')[i]!.replace(',', '.')));
      expect(column(dataset, name)).toMatchObject({
        type: 'numeric',
        missing: 0,
        numeric: { min: Math.min(...values), max: Math.max(...values) },
      });
    }
    const converted = issues(dataset.report.warnings, 'numbers_converted');
    expect(converted).toHaveLength(4);
    expect(converted[0]!.message).toMatch(
      /^Column "Kelchblatt_Länge": 60 cells read as numbers with "," as the decimal mark; e\.g\. line 2 "5,2" → 5\.2/,
    );
  });

  it('names the delimiter it used, and the one that finds the label column', async () => {
    const dataset = await submit(file, { label_column: 'Art', csv: { delimiter: ',' } });
    expect(dataset.status).toBe('invalid');
    const [error] = dataset.report.errors;
    expect(error!.code).toBe('label_column_missing');
    expect(error!.message).toContain('delimiter "," (given in csv.delimiter)');
    expect(error!.message).toContain('Kelchblatt_Länge;Kelchblatt_Breite'); // the one field found
    expect(error!.message).toContain('set csv.delimiter to ";"');
  });

  it('predicts the same for decimal-comma strings as for JSON numbers', async () => {
    const dataset = await submit(file, { label_column: 'Art' });
    const { modelId } = await trainModel(api.runtime, dataset, {
      hyperparameters: { epochs: 20, early_stopping: null },
    });
    const cells = lines[0]!.split(';');
    const written = Object.fromEntries(header.slice(0, 4).map((h, i) => [h, cells[i]]));
    const numbers = Object.fromEntries(
      header.slice(0, 4).map((h, i) => [h, Number(cells[i]!.replace(',', '.'))]),
    );
    expect(written[header[0]!]).toContain(',');
    // The same keys typed decomposed (NFD, "a" + U+0308), as macOS may give them.
    const decomposed = Object.fromEntries(
      Object.entries(numbers).map(([k, v]) => [k.normalize('NFD'), v]),
    );
    expect(Object.keys(decomposed)).not.toEqual(Object.keys(numbers));
    const answer = await predict(modelId, [written, numbers, decomposed]);
    expect(answer.status).toBe(200);
    expect(answer.body.predictions[0]).toEqual(answer.body.predictions[1]);
    expect(answer.body.predictions[2]).toEqual(answer.body.predictions[1]);
    // A key given composed and decomposed at once is one column twice, and said to be so.
    const twice = await predict(modelId, [{ ...numbers, 'Kelchblatt_La\u0308nge': 5 }]);
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toContain(
      'keys "Kelchblatt_Länge" and "Kelchblatt_La\u0308nge" are one column name, written in two Unicode normalizations',
    );
  });
});

describe('column names in two Unicode normalizations (macOS writes names decomposed)', () => {
  const composed = 'Gr\u00f6\u00dfe';
  const decomposed = 'Gro\u0308\u00dfe';
  const rows = Array.from({ length: 12 }, (_, i) => `${i},${i % 2 ? 'groß' : 'klein'}`).join('\n');

  it('finds a label_column typed decomposed in a composed header, and the reverse', async () => {
    for (const [label, head] of [
      [decomposed, composed],
      [composed, decomposed],
    ]) {
      const dataset = await submit(`x,${head}\n${rows}\n`, { label_column: label });
      expect(dataset.report.errors).toEqual([]);
      expect(dataset.status).toBe('ready');
      // One spelling from here on: what the manifest and a model's inputs name.
      expect(dataset.label_column).toBe(composed);
      expect(dataset.report.stats!.columns!.map((c) => c.name)).toEqual(['x', composed]);
    }
  });

  it('refuses two header names that are one name in NFC, saying they differ only in normalization', async () => {
    const dataset = await submit(`${composed},${decomposed},y\n1,2,a\n3,4,b\n`, {
      label_column: 'y',
    });
    expect(dataset.status).toBe('invalid');
    const [error] = dataset.report.errors;
    expect(error).toMatchObject({ code: 'duplicate_column', where: 'line 1' });
    expect(error!.message).toBe(
      `Column name "${composed}" appears twice in the header (columns 1 and 2 differ only in Unicode normalization: one is written composed (NFC), the other decomposed (NFD); names are compared in NFC); expected each name once`,
    );
  });
});

describe('case 10: numbers with thousands separators', () => {
  const file = fixture('10-csv-thousands-separators/loans.csv');

  it('reads "52,000" as a number, reports the conversion, and the model follows income', async () => {
    const dataset = await submit(file, { label_column: 'approved' });
    expect(dataset.status).toBe('ready');
    const source = parse(file, { columns: true }) as Record<string, string>[];
    const incomes = source.map((r) => Number(r.income!.replace(/,/g, '')));
    expect(column(dataset, 'income')).toMatchObject({
      type: 'numeric',
      missing: 0,
      numeric: { min: Math.min(...incomes), max: Math.max(...incomes) },
    });
    expect(dataset.report.stats!.csv).toMatchObject({
      delimiter: ',',
      decimal: '.',
      thousands: ',',
    });
    const [converted] = issues(dataset.report.warnings, 'numbers_converted');
    expect(converted!.message).toMatch(
      /^Column "income": 80 cells read as numbers after removing the thousands separator ","/,
    );

    const { modelId } = await trainModel(api.runtime, dataset, {
      hyperparameters: { epochs: 60, early_stopping: null },
    });
    const low = { income: 30000, age: 40 };
    const high = { income: 130000, age: 40 };
    const answer = await predict(modelId, [low, high, { income: '130,000', age: '40' }]);
    expect(answer.status).toBe(200);
    const [pLow, pHigh, pWritten] = answer.body.predictions.map((p: never) => scoreOf(p, 'yes'));
    expect(pHigh - pLow).toBeGreaterThan(0.5);
    expect(pWritten).toBeCloseTo(pHigh, 6);
    // A number the column cannot hold is a 4xx naming it, never a silent mean.
    const bad = await predict(modelId, [{ income: '130 000 dollars', age: 40 }]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('inputs[0].income');
    expect(bad.body.error.message).toContain('thousands separator ","');
  });

  it('reads a stray "55 kg" among numbers as missing, and says so', async () => {
    const file = fixture('10-csv-thousands-separators/one-bad-cell.csv');
    const dataset = await submit(file, { label_column: 'size' });
    expect(dataset.status).toBe('ready');
    expect(column(dataset, 'weight_kg')).toMatchObject({ type: 'numeric', missing: 1 });
    const line =
      file
        .toString()
        .split('\n')
        .findIndex((l) => l.startsWith('55 kg')) + 1;
    const [warning] = issues(dataset.report.warnings, 'non_numeric_cells');
    expect(warning!.message).toContain('Column "weight_kg" is numeric (59 of 60 cells');
    expect(warning!.message).toContain(`line ${line} "55 kg"`);
  });
});

describe('cases 11 and 12: missing values, a 0/1 label, and rows as callers send them', () => {
  const file = fixture('11-csv-missing-values-numeric-label/cells.csv');
  const source = parse(file, { columns: true }) as Record<string, string>[];
  const features = ['clump', 'size', 'shape', 'nuclei'];
  let modelId: string;

  it('validates with numeric columns, missing counted, and a warning for the one-row class', async () => {
    const dataset = await submit(file, { label_column: 'class' });
    expect(dataset.status).toBe('ready');
    for (const name of features) {
      const missing = source.filter((r) => ['', '?', 'NA'].includes(r[name]!)).length;
      expect(column(dataset, name)).toMatchObject({ type: 'numeric', missing });
    }
    expect(source.some((r) => r.nuclei === '?') && source.some((r) => r.shape === 'NA')).toBe(true);
    expect(dataset.report.stats!.classes).toEqual({ '0': 80, '1': 40, '2': 1 });
    expect(dataset.report.warnings.some((w) => w.message.includes('"2"'))).toBe(true);
    ({ modelId } = await trainModel(api.runtime, dataset, {
      hyperparameters: { epochs: 20, early_stopping: null },
    }));
    const answer = await predict(modelId, [{ clump: 5, size: 9, shape: 8, nuclei: null }]);
    expect(answer.status).toBe(200);
  });

  it('answers keys in any order and numbers as strings alike; 4xx names extra and omitted columns', async () => {
    const row = { clump: 5, size: 9, shape: 8, nuclei: 7 };
    const reordered = { nuclei: 7, shape: 8, clump: 5, size: 9 };
    const strings = { clump: '5', size: ' 9 ', shape: '8', nuclei: '7' };
    const same = await predict(modelId, [row, reordered, strings, { ...row, nuclei: 'NA' }]);
    expect(same.status).toBe(200);
    const [a, b, c] = same.body.predictions;
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    for (const [input, name] of [
      [{ ...row, id: 17 }, '"id"'],
      [{ ...row, class: 1 }, '"class"'],
      [{ clump: 5, size: 9, shape: 8 }, '"nuclei"'],
      [{ ...row, shape: 'eight' }, 'inputs[0].shape'],
    ] as const) {
      const res = await predict(modelId, [input]);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(name);
    }
  });
});

describe('dialects and number forms of other exports', () => {
  it('reads tab- and pipe-separated files', async () => {
    const tab = await submit('x\tnote\tlabel\n1.5\tred, big\tyes\n2.5\tblue\tno\n3.5\tred\tyes\n', {
      label_column: 'label',
    });
    expect(tab.status).toBe('ready');
    expect(tab.report.stats!.csv).toMatchObject({ delimiter: '\t', decimal: '.' });
    expect(column(tab, 'x')).toMatchObject({ type: 'numeric', numeric: { max: 3.5 } });
    expect(column(tab, 'note')).toMatchObject({ type: 'categorical', distinct: 3 });
    // Excel's "Unicode text": UTF-16LE with its byte-order mark, tab-separated.
    const unicode = await submit(
      Buffer.from('\ufeffx\tnote\tlabel\r\n1.5\tcrème\tyes\r\n2.5\tthé\tno\r\n', 'utf16le'),
      { label_column: 'label' },
    );
    expect(unicode.status).toBe('ready');
    expect(unicode.report.stats!.csv).toMatchObject({ delimiter: '\t', encoding: 'utf-16le' });
    expect(column(unicode, 'x')).toMatchObject({ type: 'numeric', numeric: { min: 1.5 } });
    const pipe = await submit('x|note|label\n1,500|a;b|yes\n2,000|c|no\n2,500|d|yes\n', {
      label_column: 'label',
    });
    expect(pipe.report.stats!.csv).toMatchObject({ delimiter: '|', thousands: ',' });
    expect(column(pipe, 'x')).toMatchObject({ type: 'numeric', numeric: { min: 1500, max: 2500 } });
  });

  it('reads ";" files with decimal points, and takes the decimal mark given', async () => {
    const file = 'price;qty;label\n1.250;3;yes\n2.500;4;no\n3.750;5;yes\n';
    const sniffed = await submit(file, { label_column: 'label' });
    expect(sniffed.report.stats!.csv).toMatchObject({ delimiter: ';', decimal: '.' });
    expect(column(sniffed, 'price').numeric).toMatchObject({ min: 1.25, max: 3.75 });
    // The same cells with the decimal comma named: "1.250" is then one thousand two hundred fifty.
    const given = await submit(file, { label_column: 'label', csv: { decimal: ',' } });
    expect(given.report.stats!.csv).toMatchObject({
      decimal: ',',
      sniffed: ['delimiter', 'encoding'],
    });
    expect(column(given, 'price').numeric).toMatchObject({ min: 1250, max: 3750 });
  });

  it('decodes a Windows-1252 file with csv.encoding, and names the option without it', async () => {
    // "Café crème;3,50 €;boisson", in Windows-1252: é is 0xE9, è 0xE8 and € 0x80.
    const text =
      'produit;prix;catégorie\nCafé crème;3,50 \x80;boisson\nThé;2,80 \x80;boisson\nCrêpe;4,20 \x80;plat\nQuiche;6,90 \x80;plat\n';
    const bytes = Buffer.from(text, 'latin1');
    const decoded = await submit(bytes, {
      label_column: 'catégorie',
      csv: { encoding: 'windows-1252' },
    });
    expect(decoded.status).toBe('ready');
    expect(decoded.report.stats!.csv).toMatchObject({ encoding: 'windows-1252', decimal: ',' });
    expect(column(decoded, 'prix')).toMatchObject({
      type: 'numeric',
      numeric: { min: 2.8, max: 6.9 },
    });
    const [converted] = issues(decoded.report.warnings, 'numbers_converted');
    expect(converted!.message).toContain('the currency symbol "€"');
    const rows = await (await api.call(`/v1/datasets/${decoded.id}/rows.csv`)).text();
    expect(rows).toContain('Café crème');

    const refused = await submit(bytes, { label_column: 'catégorie' });
    expect(refused.status).toBe('invalid');
    const [error] = refused.report.errors;
    expect(error).toMatchObject({ code: 'invalid_utf8', where: 'line 1' });
    expect(error!.message).toContain('byte 0xe9');
    expect(error!.message).toContain(`byte ${text.indexOf('é') + 1} of the file`);
    expect(error!.message).toContain('csv.encoding');
  });

  it("reads Swiss 1'234.50, percent columns and accounting negatives", async () => {
    const file = [
      'amount,rate,balance,label',
      "1'234.50,4.5%,(1'000.00),a",
      "2'000.00,12%,250.00,b",
      '987.25,0.5%,(20.00),a',
      "3'100.75,100%,1'500.00,b",
    ].join('\r\n');
    const dataset = await submit(file, { label_column: 'label' });
    expect(dataset.status).toBe('ready');
    expect(column(dataset, 'amount').numeric).toMatchObject({ min: 987.25, max: 3100.75 });
    expect(column(dataset, 'rate').numeric).toMatchObject({ min: 0.005, max: 1 });
    expect(column(dataset, 'balance').numeric).toMatchObject({ min: -1000, max: 1500 });
    const messages = issues(dataset.report.warnings, 'numbers_converted').map((w) => w.message);
    expect(messages).toEqual([
      expect.stringContaining(
        `Column "amount": 3 cells read as numbers after removing the thousands separator "'"`,
      ),
      expect.stringContaining(
        'Column "rate": 4 cells read as numbers after removing "%" (divided by 100)',
      ),
      expect.stringContaining('the parentheses of negative numbers'),
    ]);
  });

  it('keeps IDs like A-1001 as text, with a warning naming the column', async () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) => `A-${1001 + i},${20 + (i % 7)},${i % 2 ? 'x' : 'y'}`,
    );
    const dataset = await submit(['id,score,label', ...rows].join('\n'), { label_column: 'label' });
    expect(dataset.status).toBe('ready');
    expect(column(dataset, 'id').type).toBe('categorical');
    expect(column(dataset, 'score').type).toBe('numeric');
    const [warning] = issues(dataset.report.warnings, 'numeric_looking_text');
    expect(warning!.message).toContain('Column "id" looks numeric');
    expect(warning!.message).toContain('"A-1001"');
  });

  it('does not call free-text notes that mention numbers numeric-looking', async () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) =>
        `${20 + (i % 7)},"follow-up in ${1 + (i % 6)} months, fasting #${i}",${i % 2 ? 'x' : 'y'}`,
    );
    const dataset = await submit(['score,notes,label', ...rows].join('\n'), {
      label_column: 'label',
    });
    expect(dataset.status).toBe('ready');
    expect(column(dataset, 'notes').type).toBe('categorical');
    expect(issues(dataset.report.warnings, 'numeric_looking_text')).toEqual([]);
  });

  it('refuses csv options that do not fit, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ format: 'jsonl', task: 'text_classification', csv: { delimiter: ';' } }, 'csv'],
      [{ format: 'csv', label_column: 'y', csv: { encoding: 'klingon-8' } }, 'csv.encoding'],
      [{ format: 'csv', label_column: 'y', csv: { separator: ';' } }, 'csv.separator'],
      [
        { format: 'csv', label_column: 'y', csv: { decimal: ',', thousands: ',' } },
        'csv.thousands',
      ],
      [{ format: 'csv', label_column: 'y', csv: { delimiter: ';;' } }, 'csv.delimiter'],
    ];
    for (const [spec, param] of cases) {
      const res = await create(spec);
      expect(res.status, JSON.stringify(spec)).toBe(400);
      const { error } = await body(res);
      expect(error.param).toBe(`body.${param}`);
      expect(error.message).toContain(param);
    }
  });
});
