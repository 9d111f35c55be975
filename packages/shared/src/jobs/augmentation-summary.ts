import type { Augmentation } from '../schemas/jobs';

/**
 * The augmentations a spec turns on, as a person reads them: flips by name, the others with their
 * amount (`flip_horizontal, zoom 0.1, downscale 0.9`), or `none`. What `trainyard jobs plan` and
 * the console's plan show.
 */
export function augmentationSummary(augmentation: Augmentation): string {
  const on = Object.entries(augmentation)
    .filter(([, v]) => v !== false && v !== 0)
    .map(([k, v]) => (v === true ? k : `${k} ${v}`));
  return on.length ? on.join(', ') : 'none';
}
