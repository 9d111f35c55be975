import type { Json } from '../api-client';
import { Layout, num, Status, time } from './layout';

/** Horizontal bars, one per class, widths relative to the largest: an accessible bar chart. */
export function BarChart({
  counts,
  label,
}: {
  readonly counts: Record<string, number>;
  readonly label: string;
}) {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  return (
    <figure class="bars" aria-label={label}>
      {entries.map(([name, n]) => (
        <div class="bar-row">
          <span class="bar-label">{name}</span>
          <span class="bar-track">
            <span class="bar" style={`width:${((100 * n) / max).toFixed(1)}%`} />
          </span>
          <span class="bar-value">{num(n)}</span>
        </div>
      ))}
    </figure>
  );
}

/**
 * Texts per length bucket (`stats.text_length.histogram`: `[{from, to, count}]`, `to` exclusive),
 * one horizontal bar a bucket in length order, widths relative to the fullest bucket.
 */
export function LengthHistogram({ buckets }: { readonly buckets: Json[] }) {
  const max = Math.max(1, ...buckets.map((b) => b.count as number));
  return (
    <figure class="bars" aria-label="Texts per length in characters" data-length-histogram>
      {buckets.map((b) => (
        <div class="bar-row" data-bucket={`${b.from}-${b.to}`}>
          <span class="bar-label">{b.to - b.from === 1 ? b.from : `${b.from}–${b.to - 1}`}</span>
          <span class="bar-track">
            <span class="bar" style={`width:${((100 * b.count) / max).toFixed(1)}%`} />
          </span>
          <span class="bar-value">{num(b.count)}</span>
        </div>
      ))}
    </figure>
  );
}

function Issues({
  title,
  items,
  kind,
}: {
  readonly title: string;
  readonly items: Json[];
  readonly kind: string;
}) {
  if (items.length === 0) return null;
  return (
    <section class={`card issues ${kind}`} aria-label={title}>
      <h2>
        {title} ({items.length})
      </h2>
      <ul>
        {items.map((issue) => (
          <li>
            <code>{issue.code}</code> {issue.message}
            {issue.where ? <small> ({issue.where})</small> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** One dataset: its validation report, errors and warnings first, then what it holds. */
export function DatasetPage({
  dataset,
  samples,
}: {
  readonly dataset: Json;
  readonly samples: Json[];
}) {
  const report = dataset.report ?? { errors: [], warnings: [], stats: null };
  const stats = report.stats;
  return (
    <Layout title={dataset.name} section="datasets">
      <p class="crumbs">
        <a href="/console/datasets">Datasets</a> / <code>{dataset.id}</code>
      </p>
      <h1>
        {dataset.name} <Status value={dataset.status} />
      </h1>
      <p>
        {dataset.task} · {dataset.format} · created {time(dataset.created_at)}
        {dataset.status === 'ready' ? (
          <>
            {' '}
            · <a href={`/console/jobs/new?dataset=${dataset.id}`}>Train a model on it</a>
          </>
        ) : null}
      </p>
      <Issues title="Errors" items={report.errors} kind="errors" />
      <Issues title="Warnings" items={report.warnings} kind="warnings" />
      {stats ? (
        <section class="card">
          <h2>Summary</h2>
          <dl class="facts">
            <dt>Examples</dt>
            <dd data-examples>{num(stats.examples)}</dd>
            <dt>Bytes</dt>
            <dd>{num(stats.bytes)}</dd>
            {stats.duplicates !== undefined ? (
              <>
                <dt>Duplicates</dt>
                <dd>{num(stats.duplicates)}</dd>
              </>
            ) : null}
            {stats.splits ? (
              <>
                <dt>Splits</dt>
                <dd>
                  train {num(stats.splits.train)} · validation {num(stats.splits.validation)} · test{' '}
                  {num(stats.splits.test)}
                </dd>
              </>
            ) : null}
            {stats.images ? (
              <>
                <dt>Image sides</dt>
                <dd>
                  width {num(stats.images.width.min)}–{num(stats.images.width.max)}, height{' '}
                  {num(stats.images.height.min)}–{num(stats.images.height.max)}
                </dd>
              </>
            ) : null}
            {stats.text_length ? (
              <>
                <dt>Text length</dt>
                <dd>
                  {num(stats.text_length.min)}–{num(stats.text_length.max)} characters, mean{' '}
                  {num(stats.text_length.mean, 1)}
                </dd>
              </>
            ) : null}
            {stats.label ? (
              <>
                <dt>Target</dt>
                <dd>
                  {num(stats.label.min)}–{num(stats.label.max)}, mean {num(stats.label.mean)}
                </dd>
              </>
            ) : null}
          </dl>
        </section>
      ) : null}
      {stats?.classes ? (
        <section class="card">
          <h2>Examples per class</h2>
          <BarChart counts={stats.classes} label="Examples per class" />
        </section>
      ) : null}
      {stats?.text_length?.histogram?.length ? (
        <section class="card">
          <h2>Text length</h2>
          <p class="muted">Texts per length, in characters.</p>
          <LengthHistogram buckets={stats.text_length.histogram} />
        </section>
      ) : null}
      {samples.length ? (
        <section class="card" aria-labelledby="samples-title">
          <h2 id="samples-title">Sample images per class</h2>
          {samples.map((s) => (
            <div class="sample-class" data-samples={s.label}>
              <h3>{s.label}</h3>
              <div class="samples">
                {(s.paths as string[]).map((path) => (
                  <img
                    src={`/console/api/v1/datasets/${dataset.id}/files?path=${encodeURIComponent(path)}`}
                    alt={path}
                    title={path}
                    width={72}
                    height={72}
                  />
                ))}
              </div>
            </div>
          ))}
        </section>
      ) : null}
      {stats?.columns ? (
        <section class="card">
          <h2>Columns</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Column</th>
                  <th>Type</th>
                  <th>Missing</th>
                  <th>Distinct</th>
                  <th>Range</th>
                </tr>
              </thead>
              <tbody>
                {(stats.columns as Json[]).map((col) => (
                  <tr>
                    <td>{col.name}</td>
                    <td>{col.type}</td>
                    <td>{num(col.missing)}</td>
                    <td>{num(col.distinct)}</td>
                    <td>
                      {col.numeric
                        ? `${num(col.numeric.min)} – ${num(col.numeric.max)} (mean ${num(col.numeric.mean)})`
                        : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </Layout>
  );
}
