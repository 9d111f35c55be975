import type { Json } from '../api-client';
import { Layout, num } from './layout';

function Reference({ model, example }: { readonly model: Json; readonly example: Json }) {
  const ref = example.reference;
  if (!ref) return <span>#{example.index}</span>;
  if (ref.path) {
    return (
      <figure class="thumb">
        <img
          src={`/console/api/v1/datasets/${model.dataset}/files?path=${encodeURIComponent(ref.path)}`}
          alt={ref.path}
          loading="lazy"
          width={96}
          height={96}
        />
        <figcaption>{ref.path}</figcaption>
      </figure>
    );
  }
  if (ref.text !== undefined) return <q>{ref.text}</q>;
  return <span>CSV row {ref.row}</span>;
}

/** The validation examples behind one confusion-matrix cell (or a whole split). */
export function ExamplesPage({
  model,
  page,
  query,
}: {
  readonly model: Json;
  readonly page: Json;
  readonly query: URLSearchParams;
}) {
  const labels: string[] = page.labels ?? [];
  const title = query.get('true_label')
    ? `${query.get('true_label')} predicted as ${query.get('predicted_label') ?? 'anything'}`
    : `${page.split} examples`;
  const next = new URLSearchParams(query);
  next.delete('limit');
  if (page.last_id) next.set('after', page.last_id);
  return (
    <Layout title={title} section="models">
      <p class="crumbs">
        <a href="/console/models">Models</a> /{' '}
        <a href={`/console/models/${model.id}`}>{model.name}</a> / examples
      </p>
      <h1>{title}</h1>
      <p data-total>
        {num(page.total)} examples on the {page.split} split
      </p>
      <ul class="examples" data-examples>
        {(page.data as Json[]).map((e) => {
          const top = e.scores ? Math.max(...(e.scores as number[])) : null;
          return (
            <li>
              <Reference model={model} example={e} />
              <p>
                true <strong>{e.true_label ?? num(e.true_value)}</strong> · predicted{' '}
                <strong>{e.predicted_label ?? num(e.predicted_value)}</strong>
                {top !== null ? ` (${num(top, 3)})` : ''}
              </p>
            </li>
          );
        })}
      </ul>
      {page.has_more ? (
        <a href={`/console/models/${model.id}/examples?${next}`}>Next page</a>
      ) : null}
      {labels.length ? null : null}
    </Layout>
  );
}
