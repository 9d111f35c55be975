// No imports: the CLI reads its numeric flags with this (`@trainyard/shared/decimal-text`) without
// loading the rest of the package.

/**
 * Decimal text: `12`, `-2`, `0.5`, `.5`, `1e3`, with optional surrounding spaces. Not hex (`0x10`),
 * binary (`0b1`), octal (`0o7`), `Infinity`, `NaN`, digit separators (`2_0`), other scripts' digits,
 * or an empty string, all of which JavaScript's `Number()` reads or reads as 0.
 */
const DECIMAL_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** Whether `text` is a number written in decimal (`DECIMAL_TEXT` above), the only form read as one. */
export function isDecimalText(text: string): boolean {
  return DECIMAL_TEXT.test(text);
}
