import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InternalError, mulberry32 } from '@trainyard/shared';
import sharp from 'sharp';

// Real illustrations that install offline: the emoji of two independent artists' sets, drawn as
// colour SVGs. OpenMoji 17 (openmoji.org, graphics CC BY-SA 4.0; outlined, flat colours) names
// each emoji's Unicode group and subgroup in data/openmoji.json; Twemoji 15 (@twemoji/svg, graphics
// CC BY 4.0 by Twitter and jdecked's Twemoji; no outlines, shaded) draws the same code points.

const require = createRequire(import.meta.url);
const openmojiRoot = dirname(require.resolve('openmoji/package.json'));
const twemojiRoot = dirname(require.resolve('@twemoji/svg/package.json'));

/** The two sets an illustration is drawn from. */
export type IllustrationStyle = 'openmoji' | 'twemoji';

/**
 * The six classes and the Unicode emoji subgroups each holds: a fair but not trivial task (fruit,
 * vegetables and flowers share colours and round shapes; birds and mammals; a face is a round
 * yellow disc in both sets).
 */
export const ILLUSTRATION_CLASSES: Readonly<Record<string, readonly string[]>> = {
  animals: ['animal-mammal', 'animal-bird'],
  clothing: ['clothing'],
  faces: [
    'face-smiling',
    'face-affection',
    'face-tongue',
    'face-hand',
    'face-neutral-skeptical',
    'face-sleepy',
    'face-unwell',
    'face-hat',
    'face-glasses',
    'face-concerned',
    'face-negative',
  ],
  food: ['food-fruit', 'food-vegetable', 'food-prepared', 'food-sweet'],
  plants: ['plant-flower', 'plant-other'],
  vehicles: ['transport-ground', 'transport-air', 'transport-water'],
};

/** One emoji drawn by one set, as a PNG on white. */
export interface Illustration {
  /** One of `ILLUSTRATION_CLASSES`'s keys. */
  readonly label: string;
  /** Its Unicode code points, e.g. `1F415` (dog). */
  readonly hexcode: string;
  /** Its Unicode name, e.g. "dog". */
  readonly name: string;
  readonly style: IllustrationStyle;
  /** `size`×`size` RGB PNG. */
  readonly png: Buffer;
}

interface Emoji {
  readonly label: string;
  readonly hexcode: string;
  readonly name: string;
  /** Its Twemoji file (Twemoji names drop the variation selector FE0F). */
  readonly twemoji: string;
}

let catalog: Emoji[] | undefined;

/** Every emoji of the six classes that both sets draw, without skin-tone variants, in Unicode order. */
function emojiCatalog(): Emoji[] {
  if (catalog) return catalog;
  const entries = JSON.parse(
    readFileSync(join(openmojiRoot, 'data/openmoji.json'), 'utf8'),
  ) as Array<{ hexcode: string; subgroups: string; annotation: string; skintone: string }>;
  const classOf = new Map<string, string>();
  for (const [label, subgroups] of Object.entries(ILLUSTRATION_CLASSES))
    for (const s of subgroups) classOf.set(s, label);
  catalog = [];
  for (const e of entries) {
    const label = classOf.get(e.subgroups);
    if (!label || e.skintone) continue;
    const lower = e.hexcode.toLowerCase();
    const candidates = [lower, lower.replaceAll('-fe0f', '')];
    const twemoji = candidates.find((c) => {
      try {
        readFileSync(join(twemojiRoot, `${c}.svg`));
        return true;
      } catch {
        return false;
      }
    });
    if (twemoji) catalog.push({ label, hexcode: e.hexcode, name: e.annotation, twemoji });
  }
  return catalog;
}

/** How many emoji of each class both sets draw (the most `shots + heldOut` can ask for). */
export function illustrationCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of emojiCatalog()) counts[e.label] = (counts[e.label] ?? 0) + 1;
  return counts;
}

/**
 * Draws `emoji` in `style` at `size`×`size`: scaled to 70-100% of the frame and placed at a random
 * spot (drawn from `next`), on white, as real illustrations are framed differently.
 */
async function draw(
  emoji: Emoji,
  style: IllustrationStyle,
  size: number,
  next: () => number,
): Promise<Illustration> {
  const file =
    style === 'openmoji'
      ? join(openmojiRoot, 'color/svg', `${emoji.hexcode}.svg`)
      : join(twemojiRoot, `${emoji.twemoji}.svg`);
  const inner = Math.round(size * (0.7 + 0.3 * next()));
  const left = Math.floor(next() * (size - inner + 1));
  const top = Math.floor(next() * (size - inner + 1));
  // Rendered at a density that gives about `inner` pixels (OpenMoji's viewBox is 72, Twemoji's 36).
  const density = (72 * inner) / (style === 'openmoji' ? 72 : 36);
  const png = await sharp(readFileSync(file), { density })
    .resize(inner, inner, { fit: 'contain', background: '#ffffff' })
    .flatten({ background: '#ffffff' })
    .extend({
      top,
      left,
      bottom: size - inner - top,
      right: size - inner - left,
      background: '#ffffff',
    })
    .removeAlpha()
    .png()
    .toBuffer();
  return { label: emoji.label, hexcode: emoji.hexcode, name: emoji.name, style, png };
}

/** Options of `fewShotIllustrations`. */
export interface FewShotIllustrationsOptions {
  /** Training pictures a class, each a different emoji in one of the two sets (default 8). */
  readonly shots?: number;
  /** Held-out emoji a class, each drawn in both sets (default 20: 40 pictures a class). */
  readonly heldOut?: number;
  /** Picks which emoji train and which are held out, the set of each training one, and framing (default 1). */
  readonly seed?: number;
  /** Side of the square pictures in pixels (default 128). */
  readonly size?: number;
}

/**
 * A few-shot image classification set of real illustrations, six classes
 * (`ILLUSTRATION_CLASSES`): per class, `shots` training pictures of different emoji (each drawn by
 * OpenMoji or Twemoji, at random), and `heldOut` other emoji drawn by both sets for the held-out
 * pictures. No emoji is in both parts, so a model must generalize from a dog to a horse, not
 * recognize the same dog in another style. Deterministic for a seed. Throws an `InternalError`
 * when a class has fewer than `shots + heldOut` emoji (`illustrationCounts`; plants has the fewest, 28).
 */
export async function fewShotIllustrations(
  options: FewShotIllustrationsOptions = {},
): Promise<{ train: Illustration[]; test: Illustration[] }> {
  const { shots = 8, heldOut = 20, seed = 1, size = 128 } = options;
  const next = mulberry32(seed);
  const train: Illustration[] = [];
  const test: Illustration[] = [];
  for (const label of Object.keys(ILLUSTRATION_CLASSES)) {
    const emoji = emojiCatalog().filter((e) => e.label === label);
    if (emoji.length < shots + heldOut)
      throw new InternalError(
        `${label} has ${emoji.length} emoji drawn by both sets; asked for ${shots} + ${heldOut}`,
      );
    // Fisher-Yates with the seeded generator.
    for (let i = emoji.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [emoji[i], emoji[j]] = [emoji[j]!, emoji[i]!];
    }
    for (const e of emoji.slice(0, shots))
      train.push(await draw(e, next() < 0.5 ? 'openmoji' : 'twemoji', size, next));
    for (const e of emoji.slice(shots, shots + heldOut))
      for (const style of ['openmoji', 'twemoji'] as const)
        test.push(await draw(e, style, size, next));
  }
  return { train, test };
}
