import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';

/** Internals of a zod schema that this module reads (zod 4's `_zod.def`). */
interface Def {
  readonly type?: string;
  readonly shape?: Record<string, { _zod: { def: Def } }>;
  readonly innerType?: { _zod: { def: Def } };
  readonly in?: { _zod: { def: Def } };
}

/** The object schema's def behind wrappers (optional, nullable, default, pipe, readonly…). */
function objectDef(def: Def | undefined, depth = 0): Def | undefined {
  if (!def || depth > 8) return undefined;
  if (def.type === 'object') return def;
  const inner = def.innerType ?? def.in;
  return inner ? objectDef(inner._zod.def, depth + 1) : undefined;
}

/** Paths (`a.b`) under `def`'s fields, at most `depth` objects down, of fields named `key`. */
function nestedPaths(def: Def, key: string, depth: number, prefix = ''): string[] {
  if (depth === 0) return [];
  const found: string[] = [];
  for (const [name, field] of Object.entries(def.shape ?? {})) {
    const inner = objectDef(field._zod.def);
    if (!inner) continue;
    const path = prefix ? `${prefix}.${name}` : name;
    if (inner.shape && key in inner.shape) found.push(`${path}.${key}`);
    found.push(...nestedPaths(inner, key, depth - 1, path));
  }
  return found;
}

/**
 * The message of an `unrecognized_keys` issue of a strict object: the unknown field, where a
 * field of that name does exist below (`epochs` at the top of a job → `hyperparameters.epochs`)
 * or which field it is a typo of (`eposh` → `epochs`), and the fields this object accepts. `undefined` for other issues (zod's own message stands).
 */
export function unknownKeysMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const keys = (issue as { keys?: string[] }).keys ?? [];
  const def = objectDef((issue.inst as { _zod?: { def: Def } } | undefined)?._zod?.def);
  const names = keys.map((k) => JSON.stringify(k)).join(', ');
  const head = `unknown field${keys.length > 1 ? 's' : ''} ${names}`;
  if (!def?.shape) return head;
  const accepted = Object.keys(def.shape);
  const hints = keys.flatMap((key) => {
    const nested = nestedPaths(def, key, 3).slice(0, 3);
    if (nested.length) return nested;
    // A typo of a field of this object (`eposh` → `epochs`): at most 2 edits, and fewer than half.
    const near = closest(key, accepted);
    const edits = distance(key, near);
    return edits <= 2 && edits < key.length / 2 ? [near] : [];
  });
  const allowed =
    accepted.length > 30 ? `${accepted.slice(0, 30).join(', ')}, …` : accepted.join(', ');
  return `${head}${hints.length ? `; did you mean ${hints.join(' or ')}?` : ''}; expected only: ${allowed}`;
}

// Installed once, for every schema parsed in the process: the API's request validation and
// `parseOrThrow` both name where a misplaced field belongs.
z.config({ customError: (issue) => unknownKeysMessage(issue) });
