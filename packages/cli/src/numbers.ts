import { isDecimalText } from '@trainyard/shared/decimal-text';
import { InvalidArgumentError } from 'commander';

/** What a numeric option accepts: whole or any number, and its bounds (inclusive unless `gt`/`lt`). */
export interface NumberRule {
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** Exclusive lower bound. */
  readonly gt?: number;
  /** Exclusive upper bound. */
  readonly lt?: number;
}

/** "an integer ≥ 1", "a number > 0 and < 1", … */
function expected(rule: NumberRule): string {
  const bounds = [
    rule.min !== undefined ? `≥ ${rule.min}` : undefined,
    rule.gt !== undefined ? `> ${rule.gt}` : undefined,
    rule.max !== undefined ? `≤ ${rule.max}` : undefined,
    rule.lt !== undefined ? `< ${rule.lt}` : undefined,
  ].filter(Boolean);
  return `${rule.integer ? 'an integer' : 'a number'}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
}

/**
 * A commander argument parser for a numeric option: the number, or an `InvalidArgumentError`
 * (commander then prints `option '--epochs <n>' argument 'abc' is invalid. expected an integer
 * ≥ 1, received "abc"` and the CLI exits 2 before any request).
 */
export function numberOption(rule: NumberRule = {}): (value: string) => number {
  return (value: string) => {
    const text = value.trim();
    // Decimal only, as the API reads numbers: `Number()` would take 0x10 as 16 and '' as 0.
    const number = isDecimalText(text) ? Number(text) : Number.NaN;
    const fails =
      !Number.isFinite(number) ||
      (rule.integer && !Number.isInteger(number)) ||
      (rule.min !== undefined && number < rule.min) ||
      (rule.max !== undefined && number > rule.max) ||
      (rule.gt !== undefined && number <= rule.gt) ||
      (rule.lt !== undefined && number >= rule.lt);
    if (fails)
      throw new InvalidArgumentError(
        `expected ${expected(rule)}, received ${JSON.stringify(value)}`,
      );
    return number;
  };
}

/** A count (`--limit`, `--epochs`, `--batch-size`, `--top-k`, `--size`): an integer ≥ 1. */
export const countOption = numberOption({ integer: true, min: 1 });
