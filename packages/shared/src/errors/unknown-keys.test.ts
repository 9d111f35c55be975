import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseOrThrow } from './zod';

const job = z.strictObject({
  dataset: z.string(),
  base_model: z.string().optional(),
  architecture: z
    .strictObject({
      type: z.string(),
      embeddings: z.strictObject({ base_model: z.string() }).optional(),
      head: z.strictObject({ units: z.array(z.number()) }).optional(),
    })
    .optional(),
});

const messageOf = (value: unknown) => {
  try {
    parseOrThrow(job, value, 'body');
  } catch (error) {
    return { message: (error as Error).message, param: (error as { param?: string }).param };
  }
  return undefined;
};

describe('unknown fields', () => {
  it('names a field of an enclosing object where it belongs, before a deeper namesake', () => {
    expect(
      messageOf({ dataset: 'd', architecture: { type: 'transfer', base_model: 'm' } }),
    ).toEqual({
      param: 'body.architecture.base_model',
      message:
        'body.architecture.base_model: unknown field "base_model": it belongs at body.base_model, not inside body.architecture',
    });
    // Two levels down: the root's field, named from the root.
    expect(
      messageOf({ dataset: 'd', architecture: { type: 'cnn', head: { units: [1], dataset: 'd' } } })
        ?.message,
    ).toContain('it belongs at body.dataset, not inside body.architecture.head');
  });

  it('still points a top-level field to its deeper home, and a typo to its spelling', () => {
    expect(messageOf({ dataset: 'd', units: [1] })?.message).toContain(
      'did you mean body.architecture.head.units?',
    );
    expect(messageOf({ datset: 'd' })?.message).toContain('did you mean body.dataset?');
  });

  it('suggests nothing for __proto__ or constructor', () => {
    for (const key of ['__proto__', 'constructor', 'toString']) {
      const sent = JSON.parse(`{"dataset":"d","architecture":{"type":"x","${key}":1}}`);
      const { message } = messageOf(sent)!;
      expect(message).toContain(`unknown field "${key}"`);
      expect(message).not.toContain('did you mean');
      expect(message).not.toContain('belongs at');
    }
  });
});
