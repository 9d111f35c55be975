import type { Json } from '../api-client';
import { Layout, num, time } from './layout';

function Matrix({
  model,
  metrics,
  split,
}: {
  readonly model: Json;
  readonly metrics: Json;
  readonly split: string;
}) {
  const labels: string[] = metrics.labels ?? [];
  const matrix: number[][] = metrics.confusion_matrix ?? [];
  const max = Math.max(1, ...matrix.flat());
  const href = (t: string, p: string) =>
    `/console/models/${model.id}/examples?${new URLSearchParams({ split, true_label: t, predicted_label: p })}`;
  return (
    <div class="table-wrap">
      <table class="matrix" data-confusion-matrix>
        <caption>Rows: true label · columns: predicted · each cell lists its examples</caption>
        <thead>
          <tr>
            <th scope="col">true \ predicted</th>
            {labels.map((l) => (
              <th scope="col">{l}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, t) => (
            <tr>
              <th scope="row">{labels[t]}</th>
              {row.map((n, p) => (
                <td
                  class={t === p ? 'diag' : n > 0 ? 'off' : undefined}
                  style={`--heat:${(n / max).toFixed(3)}`}
                >
                  <a
                    href={href(labels[t]!, labels[p]!)}
                    aria-label={`${n} examples of ${labels[t]} predicted as ${labels[p]}`}
                  >
                    {n}
                  </a>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Metrics({ model, metrics }: { readonly model: Json; readonly metrics: Json }) {
  return (
    <section class="card" aria-label={`Metrics (${metrics.split})`}>
      <h2>Metrics on the {metrics.split} split</h2>
      <dl class="facts">
        <dt>Examples</dt>
        <dd>{num(metrics.examples)}</dd>
        <dt>Loss</dt>
        <dd>{num(metrics.loss)}</dd>
        {metrics.accuracy !== null ? (
          <>
            <dt>Accuracy</dt>
            <dd data-accuracy>{num(metrics.accuracy)}</dd>
          </>
        ) : null}
        {metrics.mae !== null ? (
          <>
            <dt>MAE / RMSE</dt>
            <dd>
              {num(metrics.mae)} / {num(metrics.rmse)}
            </dd>
          </>
        ) : null}
      </dl>
      {metrics.per_class ? (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Class</th>
                <th>Precision</th>
                <th>Recall</th>
                <th>F1</th>
                <th>Support</th>
              </tr>
            </thead>
            <tbody>
              {(metrics.per_class as Json[]).map((c) => (
                <tr>
                  <td>{c.label}</td>
                  <td>{num(c.precision, 3)}</td>
                  <td>{num(c.recall, 3)}</td>
                  <td>{num(c.f1, 3)}</td>
                  <td>{num(c.support)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {metrics.confusion_matrix ? (
        <>
          <h3>Confusion matrix</h3>
          <Matrix model={model} metrics={metrics} split={metrics.split} />
        </>
      ) : null}
    </section>
  );
}

/** The equivalent commands, to copy. */
function commands(model: Json, inferUrl: string, columns: string[]) {
  const url = `${inferUrl}/v1/models/${model.id}/predict`;
  const auth = '-H "Authorization: Bearer $TRAINYARD_API_KEY"';
  if (model.task === 'image_classification') {
    return [
      `curl ${auth} -F image=@photo.jpg ${url}`,
      `npx trainyard predict ${model.id} photo.jpg`,
    ];
  }
  if (model.task === 'text_classification') {
    return [
      `curl ${auth} -H 'content-type: application/json' -d '{"inputs":["some text"]}' ${url}`,
      `npx trainyard predict ${model.id} --text "some text"`,
    ];
  }
  const row = JSON.stringify(Object.fromEntries(columns.map((c) => [c, '…'])));
  return [
    `curl ${auth} -H 'content-type: application/json' -d '{"inputs":[${row}]}' ${url}`,
    `npx trainyard predict ${model.id} --row '${row}'`,
  ];
}

function TryIt({
  model,
  inferUrl,
  columns,
}: {
  readonly model: Json;
  readonly inferUrl: string;
  readonly columns: string[];
}) {
  const task: string = model.task;
  return (
    <section class="card" aria-labelledby="try-title">
      <h2 id="try-title">Try it</h2>
      <form data-try data-model={model.id} data-task={task} class="stack">
        {task === 'image_classification' ? (
          <div class="drop" data-drop aria-describedby="try-help">
            <p id="try-help">Drop or paste an image here, or choose one.</p>
            <input type="file" name="image" accept="image/*" aria-label="Image" />
            <p class="file-name" data-file-name />
          </div>
        ) : task === 'text_classification' ? (
          <label>
            Text
            <textarea name="text" rows={3} required />
          </label>
        ) : (
          <div class="grid-form">
            {columns.map((c) => (
              <label>
                {c}
                <input name={`col:${c}`} />
              </label>
            ))}
          </div>
        )}
        <label>
          Top k
          <input name="top_k" type="number" min={1} value="3" />
        </label>
        <button type="submit">Predict</button>
      </form>
      <div data-try-result role="status" aria-live="polite" />
      <h3>Same call from a terminal</h3>
      {commands(model, inferUrl, columns).map((cmd) => (
        <div class="copy">
          <pre>
            <code>{cmd}</code>
          </pre>
          <button type="button" data-copy>
            Copy
          </button>
        </div>
      ))}
    </section>
  );
}

/** One model: card, metrics (validation and test), confusion matrix, try it. */
export function ModelPage({
  model,
  dataset,
  inferUrl,
}: {
  readonly model: Json;
  readonly dataset: Json;
  readonly inferUrl: string;
}) {
  const card = model.card;
  const metrics = model.metrics;
  const columns: string[] = ((dataset?.report?.stats?.columns ?? []) as Json[])
    .map((c) => c.name as string)
    .filter((name) => name !== dataset?.label_column);
  return (
    <Layout title={model.name} section="models">
      <p class="crumbs">
        <a href="/console/models">Models</a> / <code>{model.id}</code>
      </p>
      <h1>{model.name}</h1>
      <section class="card" aria-label="Model card">
        <h2>Card</h2>
        <dl class="facts">
          <dt>Task</dt>
          <dd>{model.task}</dd>
          <dt>Labels</dt>
          <dd>{metrics?.labels?.join(', ') ?? '—'}</dd>
          <dt>Input</dt>
          <dd>
            {card?.spec?.architecture?.input_size
              ? `image ${card.spec.architecture.input_size.join('×')}`
              : columns.length
                ? `row: ${columns.join(', ')}`
                : model.task.replace('_classification', '')}
          </dd>
          <dt>Lineage</dt>
          <dd>
            job <a href={`/console/jobs/${model.job}`}>{model.job}</a> · dataset{' '}
            <a href={`/console/datasets/${model.dataset}`}>{model.dataset}</a> · base{' '}
            {model.base_model ?? 'none'}
          </dd>
          <dt>Architecture</dt>
          <dd>{card?.spec?.architecture?.type ?? '—'}</dd>
          <dt>Parameters</dt>
          <dd>{num(card?.parameters)}</dd>
          <dt>Trained</dt>
          <dd>
            {num(card?.epochs_run)} epochs in {num(card?.duration_seconds, 1)} s on{' '}
            {card?.backend ?? '—'} · {time(model.created_at)}
          </dd>
        </dl>
        <details>
          <summary>Hyperparameters and the full spec</summary>
          <pre>{JSON.stringify(card?.spec ?? null, null, 2)}</pre>
        </details>
        <p>
          <a href={`/console/api/v1/models/${model.id}/download`}>Download the model (zip)</a>
        </p>
      </section>
      {metrics ? <Metrics model={model} metrics={metrics} /> : null}
      {metrics?.test ? <Metrics model={model} metrics={metrics.test} /> : null}
      <TryIt model={model} inferUrl={inferUrl} columns={columns} />
    </Layout>
  );
}
