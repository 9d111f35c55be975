import type { JobEvent } from '../schemas/job-events';

let n = 0;

/**
 * For tests: an event as the log may hold it, with a fresh id one later than the last and a
 * `created_at` one second later; `data` may be a part of the event's data only (what the code
 * under test reads).
 */
export function testEvent(type: string, data: Record<string, unknown> | null = null): JobEvent {
  n++;
  return {
    id: `evt_${String(n).padStart(9, '0')}_t-000000_000001`,
    object: 'fine_tuning.job.event',
    created_at: 1_700_000_000 + n,
    level: 'info',
    type,
    message: type,
    data,
  } as JobEvent;
}
