import type { JobEvent, UploadProgress } from '@trainyard/sdk';
import { Presets, SingleBar } from 'cli-progress';
import type { Output } from './output';

const MiB = 1024 * 1024;

/** A bar for one upload on a terminal (nothing otherwise); `stop` when done. */
export function uploadBar(out: Output, name: string) {
  if (!out.live) return { update: (_: UploadProgress) => {}, stop: () => {} };
  const bar = new SingleBar(
    {
      format: `${name} [{bar}] {percentage}% {done}/{size} MiB`,
      hideCursor: true,
      stream: out.stdout,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update({ loaded, total }: UploadProgress) {
      const payload = { done: (loaded / MiB).toFixed(1), size: (total / MiB).toFixed(1) };
      if (!started) bar.start(total || 1, loaded, payload);
      else bar.update(loaded, payload);
      started = true;
    },
    stop: () => started && bar.stop(),
  };
}

const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : '-');

/**
 * How a followed job shows on a terminal: a bar over the epochs with the live metrics (one per
 * trial and phase), and other events as lines above it. Off a terminal, one line per event.
 */
export function jobProgress(out: Output, epochs: number | undefined) {
  let bar: SingleBar | undefined;
  let key = '';
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    event(event: JobEvent) {
      const data = (event.data ?? {}) as Record<string, unknown>;
      if (!out.live) return out.line(`${event.type.padEnd(18)} ${event.message}`);
      if (event.type !== 'epoch.completed') {
        stopBar();
        return out.line(`${event.type.padEnd(18)} ${event.message}`);
      }
      const here = `${data.trial ?? ''}/${data.phase ?? ''}`;
      if (!bar || here !== key) {
        stopBar();
        key = here;
        const label = `${data.trial === null || data.trial === undefined ? '' : `trial ${data.trial} `}${data.phase === 'fine_tune' ? 'fine-tune ' : ''}epochs`;
        bar = new SingleBar(
          {
            format: `${label} [{bar}] {value}/{total} loss {loss} acc {accuracy} val_loss {val_loss} val_acc {val_accuracy}`,
            hideCursor: true,
            stream: out.stdout,
          },
          Presets.shades_classic,
        );
        bar.start(epochs ?? Number(data.epoch), 0, {});
      }
      const epoch = Number(data.epoch);
      if (epoch > bar.getTotal()) bar.setTotal(epoch);
      bar.update(epoch, {
        loss: fmt(data.loss),
        accuracy: fmt(data.accuracy),
        val_loss: fmt(data.val_loss),
        val_accuracy: fmt(data.val_accuracy),
      });
    },
    stop: stopBar,
  };
}
