import {
  isTerminal,
  type JobEventLog,
  type JobStore,
  type Logger,
  OutboundError,
  OutboundGuard,
  signWebhook,
  toJobObject,
  unixSeconds,
  WEBHOOK_SIGNATURE_HEADER,
} from '@trainyard/shared';

export interface WebhookNotifierOptions {
  readonly store: JobStore;
  /** Where deliveries are recorded (`webhook.delivered`, `webhook.failed`). */
  readonly log: JobEventLog;
  readonly logger: Logger;
  /** Deliveries tried in all. Default 5. */
  readonly attempts?: number;
  /** Wait before the second try; doubles each time (2, 4, 8, 16 s by default). */
  readonly baseDelayMs?: number;
  /** Per request. Default 10 s. */
  readonly timeoutMs?: number;
  /**
   * Sends the deliveries: internal addresses are refused unless `OUTBOUND_ALLOW` lists them.
   * Default: a guard that allows no internal address.
   */
  readonly outbound?: OutboundGuard;
}

/**
 * Tells a job's webhook that the job ended: a JSON POST signed like Stripe's
 * (`Trainyard-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed by the job's
 * secret), retried with exponential backoff until a 2xx or the last attempt. Every try is an
 * event in the job's log; the log also says whether a delivery is still due, so a restarted
 * platform finishes what a stopped one began.
 */
export class WebhookNotifier {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private closed = false;

  private readonly guard: OutboundGuard;

  constructor(private readonly options: WebhookNotifierOptions) {
    this.guard = options.outbound ?? new OutboundGuard();
  }

  /** Delivers the job's webhook if it is due; one delivery per job at a time in this process. */
  notify(jobId: string): Promise<void> {
    const running = this.inFlight.get(jobId);
    if (running) return running;
    const delivery = this.deliver(jobId)
      .catch((error: Error) =>
        this.options.logger.error({ err: error, job: jobId }, 'webhook delivery broke off'),
      )
      .finally(() => this.inFlight.delete(jobId));
    this.inFlight.set(jobId, delivery);
    return delivery;
  }

  /** Resolves when every delivery under way has finished (or given up). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all(this.inFlight.values());
  }

  /** Stops waiting between retries; what is still due is finished after the next start. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.resolve();
    }
    await this.idle();
  }

  private async deliver(jobId: string): Promise<void> {
    const { store, log } = this.options;
    const { spec, state } = await store.get(jobId);
    const hook = spec.webhook;
    if (!hook || !isTerminal(state.status) || state.webhook.done) return;
    if (!hook.events.includes(state.status as (typeof hook.events)[number])) return;
    const secret = await store.webhookSecret(jobId);
    if (!secret) return;
    const body = JSON.stringify({
      // The ending event's id: receivers drop repeats of one delivery by it.
      id: state.terminal_event,
      object: 'event',
      type: `fine_tuning.job.${state.status}`,
      created_at: state.finished_at,
      data: toJobObject(spec, state),
    });
    const attempts = this.options.attempts ?? 5;
    const failed = (await log.refs(jobId)).filter((r) => r.type === 'webhook.failed').length;
    for (let attempt = failed + 1; attempt <= attempts && !this.closed; attempt++) {
      const outcome = await this.post(hook.url, body, secret);
      if (outcome.ok) {
        await log.append(jobId, {
          type: 'webhook.delivered',
          message: `Webhook delivered to ${hook.url} (HTTP ${outcome.status})`,
          data: { url: hook.url, attempt, status_code: outcome.status },
        });
        return;
      }
      const final = attempt === attempts;
      const delayMs = (this.options.baseDelayMs ?? 2000) * 2 ** (attempt - failed - 1);
      await log.append(jobId, {
        type: 'webhook.failed',
        level: final ? 'error' : 'warn',
        message: `Webhook to ${hook.url} failed (${outcome.reason})${final ? '; giving up' : `; retrying in ${delayMs / 1000} s`}`,
        data: {
          url: hook.url,
          attempt,
          ...(outcome.status ? { status_code: outcome.status } : { error: outcome.reason }),
          final,
        },
      });
      if (!final) await this.sleep(delayMs);
    }
  }

  private async post(
    url: string,
    body: string,
    secret: string,
  ): Promise<
    { ok: true; status: number; reason: string } | { ok: false; status?: number; reason: string }
  > {
    try {
      // Redirects are not followed: a receiver answers where it was registered.
      const res = await this.guard.fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Trainyard-Webhooks/1',
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, body, unixSeconds()),
        },
        body,
        maxRedirects: 0,
        maxBytes: 64 * 1024,
        timeoutMs: this.options.timeoutMs ?? 10_000,
      });
      const reason = `HTTP ${res.status}`;
      return res.status >= 200 && res.status < 300
        ? { ok: true, status: res.status, reason }
        : { ok: false, status: res.status, reason };
    } catch (error) {
      // The guard's one code (`outbound_refused`, `outbound_failed`): nothing of the socket.
      if (error instanceof OutboundError) return { ok: false, reason: error.code };
      throw error;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(entry);
    });
  }
}
