import { describe, expect, it } from 'vitest';
import { isMissingCell, parseWrittenNumber, readNumber } from './written-number';

const point = { decimal: '.' } as const;
const comma = { decimal: ',' } as const;

describe('readNumber', () => {
  it('reads bare numbers as Number does, with either decimal mark', () => {
    expect(readNumber('42', point)).toEqual({ value: 42 });
    expect(readNumber(' -3.5e2 ', point)).toEqual({ value: -350 });
    expect(readNumber('.5', point)).toEqual({ value: 0.5 });
    expect(readNumber('5,2', comma)).toEqual({ value: 5.2 });
    expect(readNumber('−5', point)).toEqual({ value: -5 }); // U+2212, as typeset
  });

  it('removes thousands separators of groups of three, and says which', () => {
    expect(readNumber('52,000', point)).toEqual({ value: 52000, thousands: ',' });
    expect(readNumber('1,234,567.25', point)).toEqual({ value: 1234567.25, thousands: ',' });
    expect(readNumber('1.234,5', comma)).toEqual({ value: 1234.5, thousands: '.' });
    expect(readNumber("1'234.50", point)).toEqual({ value: 1234.5, thousands: "'" });
    expect(readNumber('1\u202f234,5', comma)).toEqual({ value: 1234.5, thousands: '\u202f' });
    // The same text means another number with the other decimal mark.
    expect(readNumber('1,234', comma)).toEqual({ value: 1.234 });
    expect(readNumber('1.234', comma)).toEqual({ value: 1234, thousands: '.' });
  });

  it('removes currency symbols, percent signs and accounting parentheses', () => {
    expect(readNumber('$12,450.00', point)).toEqual({
      value: 12450,
      thousands: ',',
      currency: '$',
    });
    expect(readNumber('€ 1 234,50', comma)).toEqual({
      value: 1234.5,
      thousands: ' ',
      currency: '€',
    });
    expect(readNumber('12,50 €', comma)).toEqual({ value: 12.5, currency: '€' });
    expect(readNumber('-$12.50', point)).toMatchObject({ value: -12.5, currency: '$' });
    expect(readNumber('45%', point)).toEqual({ value: 0.45, percent: true });
    expect(readNumber('12.3 %', point)).toEqual({ value: 0.123, percent: true });
    expect(readNumber('(1,234)', point)).toEqual({
      value: -1234,
      thousands: ',',
      parentheses: true,
    });
  });

  it('returns units for the caller to judge', () => {
    expect(readNumber('72 kg', point)).toEqual({ value: 72, unit: 'kg' });
    expect(readNumber('72kg', point)).toEqual({ value: 72, unit: 'kg' });
    expect(readNumber("CHF 1'234.50", point)).toEqual({
      value: 1234.5,
      thousands: "'",
      unit: 'CHF',
    });
  });

  it('refuses what is not one number', () => {
    for (const text of [
      'A-1001',
      '12-14',
      '1,23',
      '1,5',
      '1e400',
      'abc',
      '',
      '-2+3',
      '1.2.3',
      '(-5)',
    ]) {
      expect(readNumber(text, point), text).toBeUndefined();
    }
    expect(readNumber('1.5', comma)).toBeUndefined();
    expect(readNumber('52,000', { decimal: '.', thousands: [] })).toBeUndefined();
  });
});

describe('parseWrittenNumber', () => {
  it('reads strings with the column format and accepts only the column unit', () => {
    expect(parseWrittenNumber('52,000', { decimal: '.', thousands: [','] })).toBe(52000);
    expect(parseWrittenNumber(52000, { decimal: '.' })).toBe(52000);
    expect(parseWrittenNumber('5,2', { decimal: ',' })).toBe(5.2);
    expect(parseWrittenNumber('72 kg', { decimal: '.', unit: 'kg' })).toBe(72);
    expect(parseWrittenNumber('72 kg', { decimal: '.' })).toBeUndefined();
    expect(parseWrittenNumber('72 lb', { decimal: '.', unit: 'kg' })).toBeUndefined();
    expect(parseWrittenNumber('NA', undefined)).toBeUndefined();
    expect(parseWrittenNumber('1e3', undefined)).toBe(1000); // models saved before formats
  });

  it('knows the missing-value spellings', () => {
    for (const cell of ['', ' ', 'NA', 'n/a', 'NaN', 'null', 'None', '?', '-'])
      expect(isMissingCell(cell), cell).toBe(true);
    expect(isMissingCell('0')).toBe(false);
  });
});
