import type { Readable } from 'node:stream';

/**
 * The objects of an object-mode stream in arrays of whatever is buffered: one promise per batch
 * instead of one per row, which matters at millions of rows. Backpressure still holds: nothing
 * more is read until the caller asks for the next batch.
 */
export async function* batches<T>(stream: Readable): AsyncGenerator<T[]> {
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const onReadable = () => wake?.();
  const onEnd = () => {
    ended = true;
    wake?.();
  };
  const onError = (error: Error) => {
    failure = error;
    wake?.();
  };
  stream.on('readable', onReadable).on('end', onEnd).on('error', onError);
  try {
    for (;;) {
      const batch: T[] = [];
      for (let item = stream.read(); item !== null; item = stream.read()) batch.push(item as T);
      if (batch.length) {
        yield batch;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    stream.off('readable', onReadable).off('end', onEnd).off('error', onError);
  }
}
