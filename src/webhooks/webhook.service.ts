/**
 * Outgoing webhooks: events are queued as jobs (`webhook.deliver`) in the jobs table, so a delivery
 * survives a restart and runs on whichever node claims it. A failed attempt re-enqueues the delivery
 * with exponential back-off (base × 2^(attempt-1), capped) until `maxAttempts`, then gives up with a log
 * line. Payloads carry ids, rule ids and times only: never a number, a name or audio (R-MIN-1).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { CallEventsSink, RecorderAction } from '../capture/active-call.ts';
import type { WebhookEndpoints, WebhookEvent } from './endpoints.ts';
import { signPayload } from './signature.ts';

export const DELIVER_JOB = 'webhook.deliver';

export interface DeliveryPayload {
  readonly endpointId: string;
  readonly deliveryId: string;
  readonly event: WebhookEvent;
  readonly body: string;
  readonly attempt: number;
}

/** The part of the jobs machinery the service needs (src/db jobs repo, src/jobs scheduler). */
export interface JobQueue {
  enqueue(kind: string, payload: unknown, opts?: { runAt?: number }): Promise<unknown>;
}
export interface JobRegistry {
  register(kind: string, handler: (payload: unknown) => Promise<void>): unknown;
}

export interface WebhookServiceDeps {
  readonly endpoints: WebhookEndpoints;
  readonly jobs: JobQueue;
  readonly clock: Clock;
  readonly log: Logger;
  /** Default 8 attempts (about 2 hours with the default base). */
  readonly maxAttempts?: number;
  /** Default 30 s; the n-th retry waits base × 2^(n-1), at most `maxDelayMs`. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Per attempt; default 10 s. */
  readonly timeoutMs?: number;
}

export class WebhookService {
  readonly #d: WebhookServiceDeps;
  readonly #queuing = new Set<Promise<unknown>>();

  constructor(deps: WebhookServiceDeps) {
    this.#d = deps;
  }

  get endpoints(): WebhookEndpoints {
    return this.#d.endpoints;
  }

  /** The scheduler runs deliveries; main.ts calls this once with its Scheduler. */
  register(scheduler: JobRegistry): void {
    scheduler.register(DELIVER_JOB, (p) => this.deliver(p as DeliveryPayload));
  }

  /** Queues one delivery per subscribed endpoint; returns how many were queued. */
  async emit(event: WebhookEvent, data: Readonly<Record<string, unknown>>): Promise<number> {
    const targets = (await this.#d.endpoints.list()).filter((e) => e.events.includes(event));
    for (const e of targets) {
      const deliveryId = randomUUID();
      const body = JSON.stringify({ id: deliveryId, type: event, createdAt: this.#d.clock.now(), data });
      const payload: DeliveryPayload = { endpointId: e.id, deliveryId, event, body, attempt: 1 };
      await this.#d.jobs.enqueue(DELIVER_JOB, payload);
    }
    return targets.length;
  }

  /** Fire-and-forget form for synchronous callers (the recorder's event sink); failures are logged. */
  notify(event: WebhookEvent, data: Readonly<Record<string, unknown>>): void {
    const queued: Promise<unknown> = this.emit(event, data)
      .catch((e: unknown) =>
        this.#d.log.error({ event, err: String(e) }, 'webhook event could not be queued'),
      )
      .finally(() => this.#queuing.delete(queued));
    this.#queuing.add(queued);
  }

  /** Resolves once every event notified so far is queued (or its failure logged): shutdown and tests. */
  async settled(): Promise<void> {
    while (this.#queuing.size > 0) await Promise.all([...this.#queuing]);
  }

  /** One attempt; a failure schedules the next one itself, so the job always completes. */
  async deliver(p: DeliveryPayload): Promise<void> {
    const endpoint = (await this.#d.endpoints.list()).find((e) => e.id === p.endpointId);
    if (!endpoint) return; // removed since: nothing to deliver
    const t = Math.floor(this.#d.clock.now() / 1000);
    let status = 0;
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'ecoute-signature': signPayload(endpoint.secret, p.body, t),
          'ecoute-event': p.event,
          'ecoute-delivery': p.deliveryId,
          'ecoute-attempt': String(p.attempt),
        },
        body: p.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#d.timeoutMs ?? 10_000),
      });
      status = res.status;
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      status = 0; // network error or timeout
    }
    await this.#retry(p, status);
  }

  async #retry(p: DeliveryPayload, status: number): Promise<void> {
    const max = this.#d.maxAttempts ?? 8;
    const fields = { endpointId: p.endpointId, deliveryId: p.deliveryId, attempt: p.attempt, status };
    if (p.attempt >= max) {
      this.#d.log.error({ ...fields, code: 'ECOUTE_WEBHOOK_GAVE_UP' }, 'webhook delivery abandoned');
      return;
    }
    const delay = Math.min(
      (this.#d.baseDelayMs ?? 30_000) * 2 ** (p.attempt - 1),
      this.#d.maxDelayMs ?? 3_600_000,
    );
    await this.#d.jobs.enqueue(
      DELIVER_JOB,
      { ...p, attempt: p.attempt + 1 },
      { runAt: this.#d.clock.now() + delay },
    );
    this.#d.log.warn(
      { ...fields, code: 'ECOUTE_WEBHOOK_DELIVERY_FAILED', retryInMs: delay },
      'webhook delivery failed',
    );
  }
}

const ACTION_EVENTS: Partial<Record<RecorderAction, WebhookEvent>> = { objection: 'call.objection' };

/** The recorder's events as webhooks: sealed, destroyed (deleted, with the rule) and objection (R-CAL-2). */
export function webhookCallEvents(service: WebhookService): CallEventsSink {
  return {
    action: (callId, action, detail) => {
      const event = ACTION_EVENTS[action];
      if (event) service.notify(event, { callId, recordingId: detail.recordingId ?? null, rule: 'R-CAL-2' });
    },
    // `interrupted`: recovered after a crash, the last second or so of audio may be missing.
    sealed: (recordingId, callId, { interrupted }) =>
      service.notify('recording.sealed', { recordingId, callId, interrupted }),
    destroyed: (recordingId, callId, rule) =>
      service.notify('recording.deleted', { recordingId, callId, rule }),
    failed: () => undefined,
  };
}

/** Several sinks as one (the access log's, the webhooks', the metrics'); one failing never stops the others. */
export function teeCallEvents(...sinks: readonly CallEventsSink[]): CallEventsSink {
  const each =
    <K extends keyof CallEventsSink>(k: K) =>
    (...args: Parameters<CallEventsSink[K]>): void => {
      for (const s of sinks) {
        try {
          (s[k] as (...a: Parameters<CallEventsSink[K]>) => void)(...args);
        } catch {
          // an observer's failure must not reach the media path
        }
      }
    };
  return {
    action: each('action'),
    sealed: each('sealed'),
    destroyed: each('destroyed'),
    failed: each('failed'),
  };
}
