import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sniffDecimal, sniffDialect, splitRecords } from './csv-dialect';

const whole = { truncated: false };
const fixture = (path: string) =>
  readFileSync(
    new URL(`../../../test/fixtures/realworld/${path}`, import.meta.url),
    'utf8',
  ).replace(/^\uFEFF/, '');

describe('splitRecords', () => {
  it('keeps delimiters, doubled quotes and line breaks inside quoted fields', () => {
    expect(splitRecords('a,b\r\n1,"x, ""y""\r\nz"\r\n\r\n2,w', ',', '"')).toEqual([
      ['a', 'b'],
      ['1', 'x, "y"\r\nz'],
      ['2', 'w'],
    ]);
  });
});

describe('sniffDialect', () => {
  it('finds ";" and the decimal comma of a German Excel export (case 09)', () => {
    expect(sniffDialect(fixture('09-csv-semicolon-decimal-comma/iris-de.csv'), whole)).toEqual({
      delimiter: ';',
      quote: '"',
      decimal: ',',
    });
  });

  it('keeps "," and the decimal point when quoted cells hold commas (cases 08, 10)', () => {
    expect(sniffDialect(fixture('08-csv-excel-bom-quoted/patients.csv'), whole)).toEqual({
      delimiter: ',',
      quote: '"',
      decimal: '.',
    });
    // "73,500" reads either way: it says nothing about the decimal mark.
    expect(sniffDialect(fixture('10-csv-thousands-separators/loans.csv'), whole)).toMatchObject({
      delimiter: ',',
      decimal: '.',
    });
  });

  it('finds tab, pipe and ";" with decimal points', () => {
    expect(sniffDialect('x\ty, z\tlabel\n1.5\ta, b\tyes\n2.5\tc\tno\n', whole)).toMatchObject({
      delimiter: '\t',
      decimal: '.',
    });
    expect(sniffDialect('x|y|label\n1,000|a;b|yes\n2,500|c|no\n', whole)).toMatchObject({
      delimiter: '|',
    });
    expect(sniffDialect('x;y;label\n1.5;2.25;yes\n3.5;4.75;no\n', whole)).toEqual({
      delimiter: ';',
      quote: '"',
      decimal: '.',
    });
  });

  it('finds single-quoted fields, and not the apostrophes of Swiss numbers', () => {
    expect(sniffDialect("a,b\n'x, y',1\n'z',2\n", whole)).toMatchObject({ quote: "'" });
    expect(sniffDialect("a;b\n1'234.50;x\n2'000.25;y\n", whole)).toEqual({
      delimiter: ';',
      quote: '"',
      decimal: '.',
    });
  });

  it('does not count the last, cut record of a truncated sample', () => {
    const sample = 'a;b;c\n1;2;3\n4;5;6\n7;8';
    expect(sniffDialect(sample, { truncated: true }).delimiter).toBe(';');
  });

  it('uses what the user gave', () => {
    expect(sniffDialect('a;b\n1,5;2\n', { ...whole, delimiter: ',', decimal: '.' })).toEqual({
      delimiter: ',',
      quote: '"',
      decimal: '.',
    });
  });

  it('reads a one-column file with ","', () => {
    expect(sniffDialect('label\nyes\nno\n', whole).delimiter).toBe(',');
  });
});

describe('sniffDecimal', () => {
  it('counts only cells that read with one mark and not the other', () => {
    expect(sniffDecimal([['1.234', '52,000']])).toBe('.');
    expect(sniffDecimal([['1.234,5'], ['3,25']])).toBe(',');
    expect(sniffDecimal([['3.25'], ['1,234.5']])).toBe('.');
  });
});
