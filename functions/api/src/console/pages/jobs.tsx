import type { Json } from '../api-client';
import { ErrorBox, Layout, Status, time } from './layout';

/** Every job the key can see, newest first. */
export function JobsPage({ list, error }: { readonly list: Json; readonly error?: string }) {
  const rows: Json[] = list?.data ?? [];
  return (
    <Layout title="Jobs" section="jobs">
      <h1>Fine-tuning jobs</h1>
      <p>
        <a class="button" href="/console/jobs/new">
          New job
        </a>
      </p>
      {error ? <ErrorBox message={error} /> : null}
      {rows.length === 0 ? (
        <p>No jobs yet.</p>
      ) : (
        <div class="table-wrap card">
          <table>
            <thead>
              <tr>
                <th>Job</th>
                <th>Status</th>
                <th>Dataset</th>
                <th>Model</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((j) => (
                <tr>
                  <td>
                    <a href={`/console/jobs/${j.id}`}>{j.id}</a>
                  </td>
                  <td>
                    <Status value={j.status} />
                  </td>
                  <td>
                    <a href={`/console/datasets/${j.dataset}`}>{j.dataset}</a>
                  </td>
                  <td>
                    {j.result_model ? (
                      <a href={`/console/models/${j.result_model}`}>{j.result_model}</a>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{time(j.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
