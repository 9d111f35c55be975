import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, startTestApi, type TestApi } from '../support/api';
import { type Issue, submitDataset } from '../support/realworld';

// Messy CSVs as spreadsheets and people write them (a tester's uploads, rebuilt here as
// variants), uploaded through the API and validated on the real S3 endpoint.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

type Checked = {
  id: string;
  status: string;
  report: { errors: Issue[]; warnings: Issue[]; stats: Record<string, never> | null };
};

const submit = (file: string, spec: Record<string, unknown> = {}): Promise<Checked> =>
  submitDataset(
    api,
    {
      name: 'messy',
      task: 'tabular_classification',
      format: 'csv',
      label_column: 'label',
      ...spec,
    },
    file,
  );

const codes = (list: Issue[]) => list.map((i) => i.code);
const issue = (list: Issue[], code: string) => list.find((i) => i.code === code);

/** `n` rows `i,yes|no` (two classes, 10+ each) after `header`, joined by `eol`. */
function rows(n: number, header = 'a,label', eol = '\n', tail = ''): string[] {
  return [
    header,
    ...Array.from({ length: n }, (_, i) => `${i},${i % 2 ? 'yes' : 'no'}${tail}`),
  ].map((l) => l + eol);
}

describe('a table with only the label column', () => {
  it('is invalid (no_feature_columns) and a job cannot be created on it', async () => {
    const file = ['label', ...Array.from({ length: 24 }, (_, i) => (i % 3 ? 'yes' : 'no'))].join(
      '\n',
    );
    const dataset = await submit(file);
    expect(dataset.status).toBe('invalid');
    const error = issue(dataset.report.errors, 'no_feature_columns');
    expect(error?.message).toContain('"label"');
    expect(error?.message).toContain('at least one feature column');
    const job = await api.call('/v1/fine-tuning/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dataset: dataset.id, hyperparameters: { epochs: 1 } }),
    });
    expect(job.status).toBe(422);
    expect((await body(job)).error).toMatchObject({ code: 'dataset_not_ready' });
  });

  it('is invalid when the other header cells are unnamed', async () => {
    const file = ['label,,', ...Array.from({ length: 20 }, (_, i) => `${i % 2 ? 'yes' : 'no'},,`)];
    const dataset = await submit(file.join('\r\n'));
    expect(codes(dataset.report.errors)).toEqual(['no_feature_columns']);
    expect(dataset.report.errors[0]!.message).toContain('2 unnamed columns');
  });
});

describe('rows with only empty or blank cells', () => {
  it("skips Excel's trailing ',' rows and a line of spaces, with one blank_rows warning", async () => {
    const lines = rows(24, 'a,label', '\r\n');
    lines.splice(10, 0, '   \r\n', ' , \r\n');
    const dataset = await submit([...lines, ',\r\n', ',\r\n', '""," "\r\n'].join(''));
    expect(dataset.report.errors).toEqual([]);
    expect(dataset.status).toBe('ready');
    expect(dataset.report.stats).toMatchObject({ examples: 24, classes: { no: 12, yes: 12 } });
    const blank = dataset.report.warnings.filter((w) => w.code === 'blank_rows');
    expect(blank).toEqual([
      {
        code: 'blank_rows',
        message: expect.stringContaining(
          '5 rows with only empty or blank cells (the first at line 11)',
        ),
        where: 'line 11',
      },
    ]);
  });

  it('still refuses a row with a value but no label, and says what a missing-value label held', async () => {
    const dataset = await submit([...rows(24), '7,\n', '8,n/a\n'].join(''));
    expect(codes(dataset.report.errors)).toEqual(['empty_label', 'empty_label']);
    expect(codes(dataset.report.warnings)).not.toContain('blank_rows');
    const [empty, na] = dataset.report.errors.map((e: { message: string }) => e.message);
    expect(empty).toContain('(label) cell is empty; expected a label on every row');
    expect(na).toContain(
      '(label) cell holds "n/a", a missing value; expected a label on every row',
    );
  });
});

describe('unnamed columns', () => {
  it("drops Excel's trailing unnamed columns that are empty in every row, naming them", async () => {
    const dataset = await submit(rows(24, 'a,label,,', '\r\n', ', ,').join(''));
    expect(dataset.report.errors).toEqual([]);
    expect(dataset.status).toBe('ready');
    expect(dataset.report.stats).toMatchObject({ examples: 24, classes: { no: 12, yes: 12 } });
    expect(
      (dataset.report.stats as unknown as { columns: Array<{ name: string }> }).columns.map(
        (c) => c.name,
      ),
    ).toEqual(['a', 'label']);
    const dropped = issue(dataset.report.warnings, 'unnamed_columns_dropped');
    expect(dropped?.message).toMatch(/^Columns 3, 4 of the header have no name and no value/);
    const rowsCsv = await (await api.call(`/v1/datasets/${dataset.id}/rows.csv`)).text();
    expect(rowsCsv.split(/\r?\n/)[0]).toBe('a,label');
  });

  it('drops an unnamed column in the middle too, and keeps the values around it', async () => {
    const lines = [
      'a,,label',
      ...Array.from({ length: 24 }, (_, i) => `${i},,${i % 2 ? 'yes' : 'no'}`),
    ];
    const dataset = await submit(lines.join('\n'));
    expect(dataset.status).toBe('ready');
    expect(dataset.report.stats).toMatchObject({
      examples: 24,
      classes: { no: 12, yes: 12 },
      columns: [{ name: 'a', type: 'numeric', numeric: { min: 0, max: 23 } }, { name: 'label' }],
    });
    expect(issue(dataset.report.warnings, 'unnamed_columns_dropped')?.message).toMatch(
      /^Column 2 of the header has no name/,
    );
  });

  it('refuses an unnamed column that holds a value, naming its position and the value', async () => {
    const lines = rows(24, 'a,label,', '\n', ',');
    lines[15] = '14,no,oops\n';
    const dataset = await submit(lines.join(''));
    expect(dataset.status).toBe('invalid');
    expect(dataset.report.errors).toEqual([
      {
        code: 'empty_column_name',
        message: expect.stringMatching(
          /^Column 3 of the header has no name but holds values \(line 16: "oops"\)/,
        ),
        where: 'line 1',
      },
    ]);
    expect(codes(dataset.report.warnings)).not.toContain('unnamed_columns_dropped');
  });
});

describe('control characters in cells', () => {
  it('refuses a NUL in a label and a bell in a value, naming line, column and character', async () => {
    const lines = rows(24);
    lines[5] = '4,y\u0000es\n';
    lines[9] = '8\u0007,no\n';
    // A tab and a line break inside quotes are text, not refused.
    lines[12] = '"1\t1",no\n';
    lines[13] = '12,"no\r\n"\n';
    const dataset = await submit(lines.join(''));
    expect(dataset.status).toBe('invalid');
    expect(dataset.report.errors).toEqual([
      {
        code: 'control_character',
        message: expect.stringMatching(
          /^line 6, column 2 \("label"\): character 2 of the cell is the control character U\+0000 \(NUL\)/,
        ),
        where: 'line 6',
      },
      {
        code: 'control_character',
        message: expect.stringMatching(
          /^line 10, column 1 \("a"\): character 2 of the cell is the control character U\+0007;/,
        ),
        where: 'line 10',
      },
    ]);
  });

  it('refuses a control character in the header', async () => {
    const dataset = await submit(rows(24, 'a\u001b,label').join(''));
    expect(dataset.report.errors).toEqual([
      {
        code: 'control_character',
        message: expect.stringContaining(
          'line 1, column 1: character 2 of the cell is the control character U+001B',
        ),
        where: 'line 1',
      },
    ]);
  });
});

describe('infinities in a numeric column', () => {
  it('reads inf, -Infinity and the like as missing, like NaN, with a warning', async () => {
    const infinities = ['inf', '-Infinity', '+INF', 'Infinity', '-inf'];
    const lines = ['x,word,label'];
    for (let i = 0; i < 40; i++) {
      const x = i < infinities.length ? infinities[i] : i % 7 === 0 ? 'NaN' : String(i / 2);
      lines.push(`${x},${i % 10 === 3 ? 'inf' : i % 2 ? 'up' : 'down'},${i % 2 ? 'yes' : 'no'}`);
    }
    const dataset = await submit(lines.join('\n'));
    expect(dataset.report.errors).toEqual([]);
    const stats = dataset.report.stats as unknown as {
      columns: Array<{ name: string; type: string; missing: number; distinct: number }>;
    };
    // 5 infinities and NaN at i = 7, 14, 21, 28, 35.
    expect(stats.columns[0]).toMatchObject({ name: 'x', type: 'numeric', missing: 10 });
    expect(stats.columns[0]!.distinct).toBe(30);
    const warning = issue(dataset.report.warnings, 'infinite_values');
    expect(warning?.message).toMatch(
      /^Column "x" is numeric; 5 cells that write an infinity are read as missing, as NaN is: line 2 "inf", line 3 "-Infinity", line 4 "\+INF"$/,
    );
    expect(codes(dataset.report.warnings)).not.toContain('numeric_looking_text');
    expect(codes(dataset.report.warnings)).not.toContain('non_numeric_cells');
    // In a text column "inf" is a word like any other.
    expect(stats.columns[1]).toMatchObject({ name: 'word', type: 'categorical', distinct: 3 });
  });
});
