import type { Json } from '../api-client';
import { ErrorBox, Layout, num, Status, time } from './layout';

const TASKS = [
  ['image_classification', 'Image classification'],
  ['text_classification', 'Text classification'],
  ['tabular_classification', 'Tabular classification'],
  ['tabular_regression', 'Tabular regression'],
] as const;

/** The datasets list and the upload panel (drag and drop, progress; console.js drives it). */
export function DatasetsPage({ list, error }: { readonly list: Json; readonly error?: string }) {
  const rows: Json[] = list?.data ?? [];
  return (
    <Layout title="Datasets" section="datasets">
      <h1>Datasets</h1>
      <section class="card" aria-labelledby="upload-title">
        <h2 id="upload-title">Upload a dataset</h2>
        <form id="upload-form" class="grid-form" data-upload>
          <label>
            Name
            <input name="name" required maxlength={200} placeholder="flowers" />
          </label>
          <label>
            Task
            <select name="task">
              {TASKS.map(([value, label]) => (
                <option value={value}>{label}</option>
              ))}
            </select>
          </label>
          <label>
            Label column <small>(CSV)</small>
            <input name="label_column" placeholder="label" />
          </label>
          <div class="drop" data-drop aria-describedby="drop-help">
            <p id="drop-help">
              Drop a folder of class folders, a zip of them, a CSV or a JSONL here, or choose one.
            </p>
            <input
              type="file"
              name="file"
              id="dataset-file"
              accept=".zip,.csv,.jsonl,.json,.tsv,.txt"
              aria-label="Dataset file"
            />
            <label class="folder">
              or a folder of class folders (zipped here, in the browser)
              <input type="file" name="folder" webkitdirectory="" multiple />
            </label>
            <p class="file-name" data-file-name />
          </div>
          <progress data-progress max={100} value={0} hidden />
          <p data-upload-status role="status" aria-live="polite" />
          <button type="submit">Upload and validate</button>
        </form>
      </section>
      {error ? <ErrorBox message={error} /> : null}
      <section class="card">
        <h2>All datasets</h2>
        {rows.length === 0 ? (
          <p>No datasets yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Task</th>
                  <th>Status</th>
                  <th>Examples</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => (
                  <tr>
                    <td>
                      <a href={`/console/datasets/${d.id}`}>{d.name}</a> <code>{d.id}</code>
                    </td>
                    <td>{d.task}</td>
                    <td>
                      <Status value={d.status} />
                    </td>
                    <td>{num(d.report?.stats?.examples)}</td>
                    <td>{time(d.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Layout>
  );
}
