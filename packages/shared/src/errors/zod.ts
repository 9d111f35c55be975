import type { z } from 'zod';
import { ValidationError } from './errors';
import { registerSchemaTree } from './unknown-keys';

/** Shortens a received value for an error message: users see what they sent, not a 10 MB dump. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  // JSON has no Infinity or NaN (JSON.stringify writes null): a number past float64's range, such
  // as 1e309, parses to Infinity, and that is what the message says.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    text =
      typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  // Characters that hide or reorder text are shown escaped, so that the message reads as sent.
  text = text.replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * An issue's message without zod's own ", received <type>" (`expected number, received string`),
 * for messages that go on to name the value itself (`; received "0x10"`).
 */
export function expectationOf(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type'
    ? issue.message.replace(/, received [^;]*$/, '')
    : issue.message;
}

/** The dotted path of an issue, prefixed by where the value came from (`body`, `query`, …). */
export function issuePath(path: readonly PropertyKey[], prefix?: string): string | undefined {
  // A key that is not a plain name (a search-space path such as "hyperparameters.learning_rate")
  // is quoted in brackets, so that the path still says where one key ends.
  const parts = path.map((p) =>
    typeof p === 'number'
      ? `[${p}]`
      : typeof p === 'string' && !/^[A-Za-z_$][\w$-]*$/.test(p)
        ? `[${JSON.stringify(p)}]`
        : String(p),
  );
  const joined = parts.join('.').replace(/\.\[/g, '[');
  if (!joined) return prefix;
  return prefix ? `${prefix}.${joined}` : joined;
}

/**
 * Turns a zod error into a `ValidationError` whose message names the field, what was received and
 * what was expected. Parse with `{ reportInput: true }` so that issues carry the received value.
 */
export function fromZodError(
  error: z.ZodError,
  prefix?: string,
  original?: unknown,
): ValidationError {
  const issues = error.issues.map((issue) => {
    // An unknown field is named by its own path (`body.epochs`), not its object's (`body`).
    const path =
      issue.code === 'unrecognized_keys' && issue.keys.length === 1
        ? [...issue.path, issue.keys[0]!]
        : issue.path;
    const param = issuePath(path, prefix);
    // What the caller sent: the original value where there is one (a coerced field's issue
    // carries the coerced value: "abc" became NaN), else the issue's.
    const sent = original === undefined ? undefined : valueAt(original, issue.path);
    const input = sent !== undefined ? sent : 'input' in issue ? issue.input : undefined;
    const received =
      issue.code === 'unrecognized_keys' || (input === undefined && original === undefined)
        ? ''
        : `; received ${describeValue(input)}`;
    // The hints of an unknown field (`unknownKeysMessage`) are relative to its object.
    const parent = issuePath(issue.path, prefix);
    // A query string has parameters, not fields.
    // zod's own "…, received string" gives way to what was sent (below).
    const own = received ? expectationOf(issue) : issue.message;
    const said =
      prefix === 'query' && issue.code === 'unrecognized_keys'
        ? own.replace(/^unknown field(s?) /, 'unknown parameter$1 ')
        : own;
    const message =
      issue.code === 'unrecognized_keys' && parent
        ? said.replace(
            /did you mean ([^?]+)\?/,
            (_, hints: string) =>
              `did you mean ${hints
                .split(' or ')
                .map((h) => `${parent}.${h}`)
                .join(' or ')}?`,
          )
        : said;
    // A field of an enclosing object: both places are paths from the root.
    const placed =
      issue.code === 'unrecognized_keys' && prefix
        ? message.replace(
            /belongs at (\S+), not inside (\S+)/,
            (_, at: string, inside: string) =>
              `belongs at ${prefix}.${at}, not inside ${prefix}.${inside}`,
          )
        : message;
    return { param, text: `${param ?? 'value'}: ${placed}${received}` };
  });
  const first = issues[0];
  const more =
    issues.length > 1
      ? ` (and ${issues.length - 1} more: ${issues
          .slice(1)
          .map((i) => i.text)
          .join('; ')})`
      : '';
  return new ValidationError(`${first?.text ?? 'invalid value'}${more}`, { param: first?.param });
}

/** The value at `path` inside `root`, when the parser did not report it. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

/** Parses `value` with `schema`, throwing a `ValidationError` that names the field on failure. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix?: string,
): z.output<S> {
  registerSchemaTree(schema);
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw fromZodError(result.error, prefix);
  return result.data;
}
