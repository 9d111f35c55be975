import type { Json } from '../api-client';
import { Layout, num, Status, time } from './layout';
import { ParallelCoordinates } from './parallel-coordinates';

const TERMINAL = ['succeeded', 'failed', 'cancelled'];

/** JSON for a `<script type="application/json">`: `<` escaped so no text can end the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const TIMELINE = [
  'job.created',
  'job.queued',
  'job.started',
  'job.succeeded',
  'job.failed',
  'job.cancelled',
];

/** The status changes, from the event log. */
function Timeline({ events }: { readonly events: Json[] }) {
  const steps = events.filter((e) => TIMELINE.includes(e.type));
  return (
    <ol class="timeline" aria-label="Status timeline">
      {steps.map((e) => (
        <li class={`level-${e.level}`}>
          <strong>{String(e.type).replace('job.', '')}</strong> <time>{time(e.created_at)}</time>
        </li>
      ))}
    </ol>
  );
}

/** The study's direction: as `study.started` says, else as the spec says (default: minimize val_loss). */
function studyGoal(job: Json, events: Json[]): string {
  const started = events.find((e) => e.type === 'study.started');
  return started?.data?.direction ?? job.tuning?.objective?.goal ?? 'minimize';
}

/** The metric the study optimizes: as `study.started` says, else as the spec says (default val_loss). */
function objectiveMetric(job: Json, events: Json[]): string {
  const started = events.find((e) => e.type === 'study.started');
  return started?.data?.metric ?? job.tuning?.objective?.metric ?? 'val_loss';
}

function Checkpoints({ checkpoints }: { readonly checkpoints: Json[] }) {
  if (checkpoints.length === 0) return null;
  return (
    <details class="card">
      <summary>Checkpoints ({checkpoints.length})</summary>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Trial</th>
              <th>Epoch</th>
              <th>val_loss</th>
              <th>Saved</th>
            </tr>
          </thead>
          <tbody>
            {checkpoints.map((k) => (
              <tr>
                <td>
                  <code>{k.name}</code>
                </td>
                <td>{k.trial ?? '—'}</td>
                <td>{k.epoch ?? '—'}</td>
                <td>{num(k.metrics?.val_loss as number | undefined)}</td>
                <td>{time(k.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function Trials({
  trials,
  goal,
  metric,
  space,
  best,
}: {
  readonly trials: Json[];
  readonly goal: string;
  /** The objective's metric (`val_loss`…), drawn per epoch for each trial. */
  readonly metric: string;
  readonly space: Record<string, Json> | undefined;
  readonly best: number | null;
}) {
  if (trials.length === 0) return null;
  const params = [...new Set(trials.flatMap((t) => Object.keys(t.params ?? {})))];
  return (
    <section class="card" aria-labelledby="trials-title">
      <h2 id="trials-title">Trials</h2>
      <p class="muted">
        Objective per trial and the best so far ({goal}); then each trial's {metric} per epoch,
        pruned trials dashed. In the table pruned trials are struck through. Click a column to sort.
      </p>
      <div data-trials-chart data-goal={goal} role="img" aria-label="Objective per trial" />
      {/* console.js: one line per trial (its objective metric per epoch), pruned ones dashed. */}
      <div
        data-trial-curves
        data-metric={metric}
        role="img"
        aria-label={`${metric} per epoch, one line per trial`}
      />
      <div class="table-wrap">
        <table data-sortable>
          <thead>
            <tr>
              <th>#</th>
              <th>Status</th>
              <th>Objective</th>
              <th>Epochs</th>
              {params.map((p) => (
                <th>{p}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {trials.map((t) => (
              <tr class={t.pruned ? 'pruned' : undefined}>
                <td>{t.number}</td>
                <td>
                  <Status value={t.status} />
                </td>
                <td>{num(t.objective)}</td>
                <td>{t.epochs}</td>
                {params.map((p) => (
                  <td>
                    {typeof t.params?.[p] === 'number'
                      ? num(t.params[p])
                      : String(t.params?.[p] ?? '—')}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Parameters against the objective</h3>
      <ParallelCoordinates trials={trials} space={space} best={best} />
    </section>
  );
}

/** One job: status, live curves (SSE via console.js), the event log, trials, cancel. */
export function JobPage({
  job,
  metrics,
  events,
  trials,
  bestTrial = null,
  checkpoints,
}: {
  readonly job: Json;
  readonly metrics: Json[];
  readonly events: Json[];
  readonly trials: Json[];
  /** The best trial's number (`GET …/trials` → `best`). */
  readonly bestTrial?: number | null;
  readonly checkpoints: Json[];
}) {
  const ended = TERMINAL.includes(job.status);
  const lastId = events.at(-1)?.id ?? '';
  return (
    <Layout title={job.id} section="jobs" charts>
      <p class="crumbs">
        <a href="/console/jobs">Jobs</a> / <code>{job.id}</code>
      </p>
      <h1>
        Job <code>{job.id}</code> <Status value={job.status} />
      </h1>
      <section class="card">
        <Timeline events={events} />
        <dl class="facts">
          <dt>Dataset</dt>
          <dd>
            <a href={`/console/datasets/${job.dataset}`}>{job.dataset}</a>
          </dd>
          <dt>Created</dt>
          <dd>{time(job.created_at)}</dd>
          <dt>Started</dt>
          <dd>{time(job.started_at)}</dd>
          <dt>Finished</dt>
          <dd>{time(job.finished_at)}</dd>
          <dt>Model</dt>
          <dd data-result-model>
            {job.result_model ? (
              <a href={`/console/models/${job.result_model}`}>{job.result_model}</a>
            ) : (
              '—'
            )}
          </dd>
          {job.error ? (
            <>
              <dt>Error</dt>
              <dd class="error">
                <code>{job.error.code}</code> {job.error.message}
              </dd>
            </>
          ) : null}
        </dl>
        {ended ? null : (
          <form method="post" action={`/console/jobs/${job.id}/cancel`}>
            <button type="submit" class="danger">
              Cancel job
            </button>
          </form>
        )}
      </section>
      <section class="card" aria-labelledby="curves-title">
        <h2 id="curves-title">Curves</h2>
        <p class="muted" data-epochs-shown>
          {metrics.length} epochs
        </p>
        <div class="charts">
          <div data-chart="loss" aria-label="Loss per epoch" role="img" />
          <div data-chart="accuracy" aria-label="Accuracy per epoch" role="img" />
          <div data-chart="learning_rate" aria-label="Learning rate per epoch" role="img" />
        </div>
      </section>
      <Trials
        trials={trials}
        goal={studyGoal(job, events)}
        metric={objectiveMetric(job, events)}
        space={job.tuning?.search_space}
        best={bestTrial}
      />
      <Checkpoints checkpoints={checkpoints} />
      <section class="card" aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        <ol class="events" data-events>
          {events.map((e) => (
            <li class={`level-${e.level}`}>
              <time>{time(e.created_at)}</time> <code>{e.type}</code> {e.message}
            </li>
          ))}
        </ol>
      </section>
      <script
        type="application/json"
        id="job-data"
        dangerouslySetInnerHTML={{
          __html: scriptJson({
            id: job.id,
            status: job.status,
            ended,
            lastEventId: lastId,
            metrics,
            objectiveMetric: objectiveMetric(job, events),
            bestTrial,
            trials: trials.map((t) => ({
              number: t.number,
              objective: t.objective,
              pruned: t.pruned,
              status: t.status,
            })),
          }),
        }}
      />
    </Layout>
  );
}
