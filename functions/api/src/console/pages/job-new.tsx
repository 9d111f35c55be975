import { augmentationSummary, TUNABLE_PATHS, tuningSchema } from '@trainyard/shared';
import type { Json } from '../api-client';
import { ErrorBox, Layout, num } from './layout';

const ARCHITECTURES = [
  ['', 'Default for the task', ''],
  ['transfer', 'Transfer (base model)', 'image_classification'],
  ['cnn', 'CNN', 'image_classification'],
  ['resnet', 'ResNet', 'image_classification'],
  ['mlp', 'MLP', 'tabular_classification tabular_regression'],
  ['bag_of_embeddings', 'Bag of embeddings', 'text_classification'],
  ['rnn', 'RNN', 'text_classification'],
  ['lstm', 'LSTM', 'text_classification'],
  ['gru', 'GRU', 'text_classification'],
  ['attention', 'Attention', 'text_classification'],
] as const;
const OPTIMIZERS = ['', 'adam', 'adamw', 'sgd', 'momentum', 'rmsprop', 'adagrad'];
const SCHEDULES = ['', 'constant', 'step', 'cosine'];
const STRATEGIES = ['none', 'random', 'grid', 'bayesian', 'hyperband'];
/** `tuning.objective.metric`: the schema's choices; unset, a study minimizes `val_loss`. */
const OBJECTIVES = [
  ['', 'default (val_loss, minimized)'],
  ...tuningSchema.shape.objective.unwrap().shape.metric.unwrap().options,
] as const;

interface Props {
  readonly datasets: Json[];
  /** The form's values, by field name. */
  readonly values: Record<string, string>;
  /** The body the form was turned into (shown with the plan). */
  readonly body?: unknown;
  readonly plan?: Json;
  readonly error?: string;
}

function Field({
  name,
  label,
  values,
  type = 'number',
  step,
  placeholder,
}: {
  readonly name: string;
  readonly label: string;
  readonly values: Record<string, string>;
  readonly type?: string;
  readonly step?: string;
  readonly placeholder?: string;
}) {
  return (
    <label>
      {label}
      <input
        name={name}
        type={type}
        step={step ?? 'any'}
        value={values[name] ?? ''}
        placeholder={placeholder ?? 'default'}
      />
    </label>
  );
}

function Select({
  name,
  label,
  options,
  values,
}: {
  readonly name: string;
  readonly label: string;
  readonly options: readonly (readonly [string, string] | string)[];
  readonly values: Record<string, string>;
}) {
  return (
    <label>
      {label}
      <select name={name}>
        {options.map((o) => {
          const [value, text] = typeof o === 'string' ? [o, o || 'default'] : o;
          return (
            <option value={value} selected={values[name] === value}>
              {text}
            </option>
          );
        })}
      </select>
    </label>
  );
}

function Plan({ plan }: { readonly plan: Json }) {
  const e = plan.estimate;
  return (
    <section class="card plan" aria-labelledby="plan-title" data-plan>
      <h2 id="plan-title">Plan</h2>
      <dl class="facts">
        <dt>Architecture</dt>
        <dd>{plan.spec?.architecture?.type ?? '—'}</dd>
        {plan.spec?.base_model ? (
          <>
            <dt>Base model</dt>
            <dd data-plan-base>
              {plan.spec.base_model}, cut at{' '}
              {plan.spec.architecture.cut_layer ?? 'its default layer'}
              {plan.spec.architecture.input_size
                ? `, at ${plan.spec.architecture.input_size.join('×')}`
                : ''}
            </dd>
          </>
        ) : null}
        {plan.spec?.task === 'image_classification' ? (
          <>
            <dt>Augmentation</dt>
            <dd data-plan-augmentation>{augmentationSummary(plan.spec.augmentation)}</dd>
          </>
        ) : null}
        <dt>Parameters</dt>
        <dd>{num(e.parameters)}</dd>
        <dt>Memory</dt>
        <dd>{e.memory_bytes === null ? '—' : `${num(e.memory_bytes / 2 ** 20, 1)} MiB`}</dd>
        <dt>Examples</dt>
        <dd>
          {num(e.train_examples)} train · {num(e.validation_examples)} validation
        </dd>
        <dt>Steps</dt>
        <dd>
          {num(e.epochs)} epochs × {num(e.steps_per_epoch)} steps × {num(e.trials)} trials ={' '}
          {num(e.steps)}
        </dd>
        <dt>Estimated time</dt>
        <dd data-plan-seconds>{e.seconds === null ? '—' : `${num(e.seconds, 1)} s`}</dd>
      </dl>
      {plan.notes?.length ? (
        <ul>
          {(plan.notes as string[]).map((n) => (
            <li>{n}</li>
          ))}
        </ul>
      ) : null}
      <details>
        <summary>Resolved spec (defaults filled in)</summary>
        <pre>{JSON.stringify(plan.spec, null, 2)}</pre>
      </details>
    </section>
  );
}

/** The job form over the spec: plan first (estimate + resolved defaults), then queue. */
export function JobNewPage({ datasets, values, body, plan, error }: Props) {
  const ready = datasets.filter((d) => d.status === 'ready');
  return (
    <Layout title="New job" section="jobs">
      <h1>New fine-tuning job</h1>
      {error ? <ErrorBox message={error} /> : null}
      <form method="post" action="/console/jobs/new" class="card job-form" data-job-form>
        <fieldset>
          <legend>Data</legend>
          <label>
            Dataset
            <select name="dataset" required>
              {ready.map((d) => (
                <option
                  value={d.id}
                  data-task={d.task}
                  data-format={d.format}
                  selected={values.dataset === d.id}
                >
                  {d.name} ({d.task}, {d.id})
                </option>
              ))}
            </select>
          </label>
          <Field
            name="validation_split"
            label="Validation split"
            values={values}
            placeholder="0.2"
          />
          <Field name="model_name" label="Model name" type="text" values={values} />
          <Field name="seed" label="Seed" values={values} />
        </fieldset>
        <fieldset>
          <legend>Model</legend>
          <label>
            Architecture
            <select name="architecture.type" data-architecture>
              {ARCHITECTURES.map(([value, text, tasks]) => (
                <option
                  value={value}
                  data-tasks={tasks}
                  selected={values['architecture.type'] === value}
                >
                  {text}
                </option>
              ))}
            </select>
          </label>
          <Field
            name="base_model"
            label="Base model"
            type="text"
            values={values}
            placeholder="bm_… | model_… | none"
          />
          <Field
            name="architecture.input_size"
            label="Input size (images)"
            type="text"
            values={values}
            placeholder="96,96"
          />
          <Field
            name="architecture.trainable_base_layers"
            label="Trainable base layers"
            values={values}
          />
        </fieldset>
        <fieldset>
          <legend>Training</legend>
          <Field name="hyperparameters.epochs" label="Epochs" values={values} />
          <Field name="hyperparameters.batch_size" label="Batch size" values={values} />
          <Field name="hyperparameters.learning_rate" label="Learning rate" values={values} />
          <Select
            name="hyperparameters.optimizer"
            label="Optimizer"
            options={OPTIMIZERS}
            values={values}
          />
          <Select
            name="hyperparameters.lr_schedule.type"
            label="LR schedule"
            options={SCHEDULES}
            values={values}
          />
          <Field
            name="hyperparameters.early_stopping.patience"
            label="Early stopping patience"
            values={values}
          />
        </fieldset>
        <fieldset>
          <legend>Regularization and augmentation</legend>
          <Field name="regularization.dropout" label="Dropout" values={values} />
          <Field name="regularization.l2" label="L2" values={values} />
          <label class="check">
            <input
              type="checkbox"
              name="augmentation.flip_horizontal"
              value="1"
              checked={!!values['augmentation.flip_horizontal']}
            />
            Flip horizontally (images)
          </label>
          <label class="check">
            <input
              type="checkbox"
              name="augmentation.flip_vertical"
              value="1"
              checked={!!values['augmentation.flip_vertical']}
            />
            Flip vertically
          </label>
          <Field
            name="augmentation.rotation_degrees"
            label="Rotation (± degrees)"
            values={values}
          />
          <Field name="augmentation.translate" label="Shift (± fraction)" values={values} />
          <Field name="augmentation.zoom" label="Zoom (± fraction)" values={values} />
          <Field name="augmentation.brightness" label="Brightness (±)" values={values} />
          <Field name="augmentation.contrast" label="Contrast (±)" values={values} />
          <Field
            name="augmentation.downscale"
            label="Low resolution (down to 1 − fraction)"
            values={values}
          />
          {/* Filled by console.js from POST /v1/datasets/{id}/augmentation-preview (image datasets). */}
          <section
            class="augmentation-preview wide"
            data-augmentation-preview
            aria-live="polite"
            aria-label="Augmentation preview"
            hidden
          />
        </fieldset>
        <fieldset>
          <legend>Tuning</legend>
          <Select name="tuning.strategy" label="Search" options={STRATEGIES} values={values} />
          <Field name="tuning.max_trials" label="Max trials" values={values} />
          <Select
            name="tuning.objective.metric"
            label="Objective metric"
            options={OBJECTIVES}
            values={values}
          />
          {/* Filled by console.js: rows that write the JSON below; without JS, the JSON is the editor. */}
          <div class="space-editor wide" data-space-editor />
          <datalist id="tunable-paths">
            {TUNABLE_PATHS.map((path) => (
              <option value={path} />
            ))}
          </datalist>
          <label class="wide">
            Search space (JSON)
            <textarea
              name="tuning.search_space"
              rows={4}
              placeholder='{"hyperparameters.learning_rate": {"type": "log_uniform", "min": 0.0001, "max": 0.01}}'
            >
              {values['tuning.search_space'] ?? ''}
            </textarea>
          </label>
        </fieldset>
        <div class="actions">
          <button type="submit" name="action" value="plan">
            Plan
          </button>
          {plan ? (
            <button type="submit" name="action" value="create" class="primary">
              Queue job
            </button>
          ) : null}
        </div>
      </form>
      {plan ? <Plan plan={plan} /> : null}
      {body && !plan ? (
        <details class="card">
          <summary>Request body</summary>
          <pre>{JSON.stringify(body, null, 2)}</pre>
        </details>
      ) : null}
    </Layout>
  );
}
