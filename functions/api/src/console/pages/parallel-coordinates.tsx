import type { Json } from '../api-client';
import { num } from './layout';

const WIDTH = 720;
const HEIGHT = 280;
const TOP = 36;
const BOTTOM = 28;
const SIDE = 60;

/** Where a value sits on an axis, 0 (bottom) to 1 (top); `undefined` for a value it cannot place. */
type Scale = (value: unknown) => number | undefined;

interface Axis {
  readonly name: string;
  readonly scale: Scale;
  readonly low: string;
  readonly high: string;
}

/**
 * An axis over the values the trials took: categories (strings, booleans, a `choice` param) evenly
 * spaced in the order listed or first seen; numbers linear, or on a log scale for a `log_uniform`
 * param, between the smallest and largest seen (one value: the middle).
 */
function axisOf(name: string, values: unknown[], param: Json | undefined): Axis {
  const numeric = values.every((v) => typeof v === 'number') && param?.type !== 'choice';
  if (!numeric) {
    const categories = [...new Set([...((param?.values as unknown[]) ?? []), ...values])];
    const step = categories.length > 1 ? 1 / (categories.length - 1) : 0;
    return {
      name,
      scale: (v) => {
        const i = categories.indexOf(v);
        return i < 0 ? undefined : categories.length > 1 ? i * step : 0.5;
      },
      low: String(categories[0] ?? ''),
      high: String(categories.at(-1) ?? ''),
    };
  }
  const log = param?.type === 'log_uniform' && values.every((v) => (v as number) > 0);
  const t = (v: number) => (log ? Math.log10(v) : v);
  const seen = (values as number[]).map(t);
  const min = Math.min(...seen);
  const max = Math.max(...seen);
  return {
    name,
    scale: (v) =>
      typeof v !== 'number' || !Number.isFinite(v)
        ? undefined
        : max > min
          ? (t(v) - min) / (max - min)
          : 0.5,
    low: num(Math.min(...(values as number[]))),
    high: num(Math.max(...(values as number[]))),
  };
}

/**
 * Parallel coordinates of a study, as inline SVG: one vertical axis per tuned parameter (those of
 * `space`, the job's `tuning.search_space`, else those the trials report) and the objective last;
 * one polyline per trial through its values, dashed when the trial was pruned, the best trial
 * (`best`, a trial number) drawn over the others. A trial without an objective stops at its last
 * parameter. Nothing when no trial has parameters.
 */
export function ParallelCoordinates({
  trials,
  space,
  best,
}: {
  readonly trials: Json[];
  readonly space: Record<string, Json> | undefined;
  readonly best: number | null;
}) {
  const names = space
    ? Object.keys(space)
    : [...new Set(trials.flatMap((t) => Object.keys(t.params ?? {})))];
  if (names.length === 0 || trials.length === 0) return null;
  const axes = names.map((name) =>
    axisOf(
      name,
      trials.map((t) => t.params?.[name]).filter((v) => v !== undefined),
      space?.[name],
    ),
  );
  const objectives = trials.map((t) => t.objective).filter((v) => typeof v === 'number');
  axes.push(axisOf('objective', objectives, undefined));
  const x = (i: number) => SIDE + (i * (WIDTH - 2 * SIDE)) / Math.max(1, axes.length - 1);
  const y = (f: number) => TOP + (1 - f) * (HEIGHT - TOP - BOTTOM);
  const ordered = [...trials].sort((a, b) => Number(a.number === best) - Number(b.number === best));
  return (
    <figure class="parallel" data-parallel-coordinates>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label="Parallel coordinates: each trial's parameters against its objective"
      >
        {axes.map((axis, i) => (
          <g class="axis">
            <line x1={x(i)} x2={x(i)} y1={y(1)} y2={y(0)} />
            <text x={x(i)} y={14} text-anchor="middle" class="axis-name">
              <title>{axis.name}</title>
              {axis.name.split('.').at(-1)}
            </text>
            <text x={x(i)} y={TOP - 6} text-anchor="middle">
              {axis.high}
            </text>
            <text x={x(i)} y={HEIGHT - 10} text-anchor="middle">
              {axis.low}
            </text>
          </g>
        ))}
        {ordered.map((t) => {
          const values = [...names.map((n) => t.params?.[n]), t.objective];
          const points: string[] = [];
          for (const [i, value] of values.entries()) {
            const f = axes[i]!.scale(value);
            if (f === undefined) break;
            points.push(`${x(i).toFixed(1)},${y(f).toFixed(1)}`);
          }
          const kind = t.pruned ? 'pruned' : t.number === best ? 'best' : 'trial';
          return (
            <polyline
              class={`line ${kind}`}
              data-trial={t.number}
              points={points.join(' ')}
              stroke-dasharray={t.pruned ? '5 4' : undefined}
            >
              <title>
                Trial {t.number}
                {t.pruned ? ' (pruned)' : ''}: objective {num(t.objective)}
              </title>
            </polyline>
          );
        })}
      </svg>
      <figcaption class="muted">
        One line per trial; dashed: pruned{best === null ? '' : `; bold: the best, trial ${best}`}.
      </figcaption>
    </figure>
  );
}
