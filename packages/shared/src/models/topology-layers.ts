import { distance } from 'fastest-levenshtein';

/**
 * The top-level layer names of a TensorFlow.js `model.json`'s `modelTopology`, read from the JSON
 * alone (no tfjs: the API checks a job's `architecture.cut_layer` with it). Both layouts are read:
 * the converter's (`{model_config: {class_name, config}}`, from Keras files) and `LayersModel.save`'s
 * (`{class_name, config}`); a functional layer's name is its own `name`, a Sequential one's is
 * `config.name`, and an old Sequential config may be the layer array itself. These are the names
 * `LayersModel.getLayer` finds (a nested model's inner layers are not). Returns `[]` for a topology
 * of neither layout.
 */
export function topologyLayerNames(modelTopology: Record<string, unknown>): string[] {
  const model = (modelTopology.model_config ?? modelTopology) as { config?: unknown };
  const config = model.config as { layers?: unknown } | unknown[] | undefined;
  const layers = Array.isArray(config) ? config : (config?.layers ?? []);
  if (!Array.isArray(layers)) return [];
  const names: string[] = [];
  for (const layer of layers as Array<{ name?: unknown; config?: { name?: unknown } }>) {
    const name = layer?.name ?? layer?.config?.name;
    if (typeof name === 'string') names.push(name);
  }
  return names;
}

/**
 * The layer names a mistyped `name` most likely meant, best first, at most `max` (default 12):
 * those within 3 edits of it (Levenshtein distance, case and surrounding spaces ignored), nearest
 * first, then those containing it. Empty when none is near.
 */
export function nearLayerNames(name: string, names: readonly string[], max = 12): string[] {
  const wanted = name.trim().toLowerCase();
  const byEdits = names
    .map((n) => ({ n, edits: distance(wanted, n.toLowerCase()) }))
    .filter(({ edits }) => edits <= 3 && edits < wanted.length / 2)
    .sort((a, b) => a.edits - b.edits)
    .map(({ n }) => n);
  const containing = wanted ? names.filter((n) => n.toLowerCase().includes(wanted)) : [];
  return [...new Set([...byEdits, ...containing])].slice(0, max);
}
