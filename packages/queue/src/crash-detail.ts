import type { ChildExit } from './child-process';

/**
 * Node's process-warning output (`(node:123) SomeWarning: …`, the AWS SDK's multi-line notice of
 * Node versions it will drop, and Node's `(Use \`node --trace-warnings …\`)` hint): never why a
 * trainer died, so never the line a crash message quotes.
 */
const WARNING_NOISE =
  /^\(node:\d+\) |^\(Use `node --trace-|^versions published after|^will require node|^To continue receiving updates|^and security updates please|^More information can be found at|^\s*$/;

/** `: <the last line of the trainer's stderr that says something>`, or '' when none does. */
export function tail(exit: Pick<ChildExit, 'stderrTail'>): string {
  const last = exit.stderrTail
    .trim()
    .split('\n')
    .filter((line) => !WARNING_NOISE.test(line))
    .at(-1);
  return last ? `: ${last.slice(0, 300)}` : '';
}
