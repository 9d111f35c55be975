import { DECODED_IMAGE_FORMATS, type Preprocess } from '@trainyard/shared/portable';

const list = (items: readonly string[], max = 8) =>
  items.length <= max
    ? items.map((i) => JSON.stringify(i)).join(', ')
    : `${items
        .slice(0, max)
        .map((i) => JSON.stringify(i))
        .join(', ')}, … (${items.length} in all)`;

/**
 * What one input of this model must be, in words, for error messages: a caller that gave the
 * wrong thing learns the right one from the message alone.
 */
export function describeInputSpec(pre: Preprocess): string {
  const input = pre.input;
  if (input.kind === 'image') {
    const colour = input.channels === 1 ? 'grey' : 'RGB';
    return `an image (${DECODED_IMAGE_FORMATS}, resized to ${input.width}×${input.height} ${colour}): an image file or {"image_base64": "…"}`;
  }
  if (input.kind === 'text') return 'a non-empty string of text';
  const columns = input.columns.map((c) =>
    c.type === 'numeric'
      ? `${JSON.stringify(c.name)}: number`
      : `${JSON.stringify(c.name)}: one of ${list(c.categories)}`,
  );
  return `a row with the ${input.columns.length} feature columns {${columns.join(', ')}} (null for a missing value), as an object by name or an array in this order`;
}
