import type { Json } from '../api-client';
import { ErrorBox, Layout, num, time } from './layout';

/** Every model the key can see. */
export function ModelsPage({ list, error }: { readonly list: Json; readonly error?: string }) {
  const rows: Json[] = list?.data ?? [];
  return (
    <Layout title="Models" section="models">
      <h1>Models</h1>
      {error ? <ErrorBox message={error} /> : null}
      {rows.length === 0 ? (
        <p>No models yet: a succeeded job publishes one.</p>
      ) : (
        <div class="table-wrap card">
          <table>
            <thead>
              <tr>
                <th>Model</th>
                <th>Task</th>
                <th>Accuracy</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr>
                  <td>
                    <a href={`/console/models/${m.id}`}>{m.name}</a> <code>{m.id}</code>
                  </td>
                  <td>{m.task}</td>
                  <td>{num(m.metrics?.accuracy)}</td>
                  <td>{time(m.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
