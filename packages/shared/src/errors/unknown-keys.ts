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
    if (inner.shape && Object.hasOwn(inner.shape, key)) found.push(`${path}.${key}`);
    found.push(...nestedPaths(inner, key, depth - 1, path));
  }
  return found;
}

/** An object enclosing another: its def, and the field names from it down to the inner object. */
interface Ancestor {
  readonly def: Def;
  readonly path: readonly string[];
}

/** The objects enclosing each object schema of a registered tree, nearest first. */
const ancestorsOf = new WeakMap<Def, Ancestor[]>();
const registered = new WeakSet<Def>();

/**
 * Records which objects enclose each object field of `schema` (through optional, default, pipe…
 * wrappers), so that an unknown field inside one that is a field of an enclosing object is named
 * there (`architecture.base_model` → `base_model`). Call once per request schema; repeat calls
 * are free. Any zod schema; non-objects are ignored.
 */
export function registerSchemaTree(schema: unknown): void {
  const root = objectDef((schema as { _zod?: { def: Def } } | undefined)?._zod?.def);
  if (!root || registered.has(root)) return;
  registered.add(root);
  const visit = (def: Def, chain: Ancestor[], depth: number) => {
    if (depth > 8) return;
    for (const [name, field] of Object.entries(def.shape ?? {})) {
      const inner = objectDef(field._zod.def);
      if (!inner || chain.some((a) => a.def === inner)) continue;
      const above = [
        { def, path: [name] },
        ...chain.map((a) => ({ def: a.def, path: [...a.path, name] })),
      ];
      const known = ancestorsOf.get(inner) ?? [];
      for (const a of above)
        if (!known.some((k) => k.def === a.def && k.path.join('.') === a.path.join('.')))
          known.push(a);
      ancestorsOf.set(inner, known);
      visit(inner, above, depth + 1);
    }
  };
  visit(root, [], 0);
}

/**
 * Where `key`, unknown in the object at `path`, is a field of an enclosing object: `belongs at
 * base_model, not inside architecture` (paths from the root of the parsed value).
 */
function enclosingHint(def: Def, key: string, path: readonly PropertyKey[]): string | undefined {
  for (const ancestor of ancestorsOf.get(def) ?? []) {
    const depth = ancestor.path.length;
    if (path.length < depth || !Object.hasOwn(ancestor.def.shape ?? {}, key)) continue;
    const tail = path.slice(path.length - depth).map(String);
    if (tail.join('.') !== ancestor.path.join('.')) continue;
    const at = [...path.slice(0, path.length - depth).map(String), key].join('.');
    return `belongs at ${at}, not inside ${path.map(String).join('.')}`;
  }
  return undefined;
}

/**
 * The message of an `unrecognized_keys` issue of a strict object: the unknown field, where a
 * field of that name does exist below (`epochs` at the top of a job → `hyperparameters.epochs`)
 * or which field it is a typo of (`eposh` → `epochs`), and the fields this object accepts; a field
 * of an enclosing object (see `registerSchemaTree`) is named there instead (`… belongs at
 * base_model, not inside architecture`). `undefined` for other issues (zod's own message stands).
 */
export function unknownKeysMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const keys = (issue as { keys?: string[] }).keys ?? [];
  const def = objectDef((issue.inst as { _zod?: { def: Def } } | undefined)?._zod?.def);
  const names = keys.map((k) => JSON.stringify(k)).join(', ');
  const head = `unknown field${keys.length > 1 ? 's' : ''} ${names}`;
  if (!def?.shape) return head;
  const accepted = Object.keys(def.shape);
  // A field of an enclosing object sent one level too deep is named where it belongs, first.
  const path = (issue as { path?: PropertyKey[] }).path ?? [];
  const moved = keys
    .map((key) => enclosingHint(def, key, path))
    .filter((h): h is string => h !== undefined);
  if (moved.length) return `${head}: it ${moved.join('; ')}`;
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
