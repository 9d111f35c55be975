/**
 * Writes a real example dataset to stdout in the format the API takes, for trying the platform:
 *   npm run --silent example-data -- iris  > iris.csv      (tabular_classification, label_column species)
 *   npm run --silent example-data -- cars  > cars.csv      (tabular_regression, e.g. label_column Miles_per_Gallon)
 *   npm run --silent example-data -- mnist > digits.zip    (image_classification, image_folder_zip)
 *   npm run --silent example-data -- spam  > mail.jsonl    (text_classification, jsonl)
 */
import { cars, digitPng, iris, makeZip, mnistDigits, spamAndHam, toCsv } from '../data';

const kind = process.argv[2];
let out: Buffer | string;
if (kind === 'iris') {
  const { header, rows } = iris();
  out = toCsv(header, rows);
} else if (kind === 'cars') {
  const all = cars();
  const header = Object.keys(all[0]!);
  out = toCsv(
    header,
    all.map((c) => header.map((h) => c[h as keyof typeof c])),
  );
} else if (kind === 'mnist') {
  const digits = mnistDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 100);
  out = makeZip(
    await Promise.all(
      digits.map(async (d, i) => ({ name: `digits/${d.label}/${i}.png`, data: await digitPng(d) })),
    ),
  );
} else if (kind === 'spam') {
  out = `${spamAndHam(200)
    .map((m) => JSON.stringify(m))
    .join('\n')}\n`;
} else {
  process.stderr.write('usage: npm run --silent example-data -- iris|cars|mnist|spam > FILE\n');
  process.exit(64);
}
process.stdout.write(out);
