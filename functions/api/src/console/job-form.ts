/**
 * The new-job form's fields, each named by its path in the job spec (`POST /v1/fine-tuning/jobs`)
 * and how its text becomes a value. Empty fields are left out, so the API's defaults apply.
 */
const FIELDS = {
  dataset: 'text',
  validation_split: 'number',
  base_model: 'text',
  model_name: 'text',
  seed: 'number',
  'architecture.type': 'text',
  'architecture.trainable_base_layers': 'number',
  'architecture.input_size': 'list',
  'hyperparameters.epochs': 'number',
  'hyperparameters.batch_size': 'number',
  'hyperparameters.learning_rate': 'number',
  'hyperparameters.optimizer': 'text',
  'hyperparameters.lr_schedule.type': 'text',
  'hyperparameters.early_stopping.patience': 'number',
  'regularization.dropout': 'number',
  'regularization.l2': 'number',
  'augmentation.flip_horizontal': 'checkbox',
  'augmentation.flip_vertical': 'checkbox',
  'augmentation.rotation_degrees': 'number',
  'augmentation.translate': 'number',
  'augmentation.zoom': 'number',
  'augmentation.brightness': 'number',
  'augmentation.contrast': 'number',
  'augmentation.downscale': 'number',
  'tuning.strategy': 'text',
  'tuning.max_trials': 'number',
  'tuning.objective.metric': 'text',
  'tuning.search_space': 'json',
} as const;

export type JobFormField = keyof typeof FIELDS;
export const JOB_FORM_FIELDS = Object.keys(FIELDS) as JobFormField[];

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

/**
 * The job spec a submitted form describes. Numbers that do not parse and JSON that does not parse
 * (and lists, `16,16` or `16×16`) are passed on as text, so the API's validation names the field and the value (one place decides).
 */
export function formToJobBody(values: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(FIELDS)) {
    const raw = values[name]?.trim();
    if (kind === 'checkbox') {
      if (raw) setPath(body, name, true);
      continue;
    }
    if (!raw) continue;
    if (name === 'tuning.strategy' && raw === 'none') continue;
    let value: unknown = raw;
    if (kind === 'number' && Number.isFinite(Number(raw))) value = Number(raw);
    if (kind === 'list') {
      const items = raw.split(/[\s,×x]+/).filter(Boolean);
      value = items.every((v) => Number.isFinite(Number(v))) ? items.map(Number) : raw;
    }
    if (kind === 'json') {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
    setPath(body, name, value);
  }
  const tuning = body.tuning as Record<string, unknown> | undefined;
  if (tuning && !tuning.strategy) delete body.tuning; // tuning fields without a strategy: no search
  return body;
}
