import { EXIT } from './exit';
import { createProgram, exitCodeFor } from './program';

// Ctrl-C aborts: a follow stops following (the job goes on) and exits 130; anything else that
// does not end within 2 s is ended with 130.
const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
  interrupt.abort(new Error('interrupted'));
  setTimeout(() => process.exit(EXIT.interrupted), 2000).unref();
});

const program = createProgram(interrupt.signal);
let code: number = EXIT.ok;
try {
  await program.parseAsync(process.argv);
} catch (error) {
  code = exitCodeFor(error);
}
if (interrupt.signal.aborted && code === EXIT.ok) code = EXIT.interrupted;
process.exitCode = code;
