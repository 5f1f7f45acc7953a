// Delivering one request body to a sink's destination: timeouts, no redirects, and retries with
// exponential backoff (and the server's Retry-After) on 429, 5xx and network errors.
import { setTimeout as sleep } from 'node:timers/promises';
import { fetch, type Dispatcher } from 'undici';
import { DestinationRefused } from './destination-guard.ts';
import type { SinkStats } from './sink.ts';

export interface DeliveryOptions {
  /** Extra headers (credentials among them: never logged nor returned). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Give up on one attempt after this long. Default 10 s. */
  readonly timeoutMs?: number;
  /** Attempts in all, the first included. Default 5. */
  readonly attempts?: number;
  /** The first backoff; doubled after each retry, capped at 30 s. Default 200 ms. */
  readonly backoffMs?: number;
  /** Stops the request in flight and the waits between retries (a replay or stream being stopped). */
  readonly signal?: AbortSignal;
  /** The HTTP client: the service passes one that applies the sink allowlist at every connection. */
  readonly dispatcher?: Dispatcher;
}

/** A refusal for good: the caller's stats say how many. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Seconds or an HTTP date, as Retry-After carries it; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * POSTs `body` to `url` until the destination accepts it (2xx), retrying what may pass later.
 * @throws DeliveryError on a refusal for good (counted in `stats.requestsRefused`).
 */
export async function deliver(url: string, body: Uint8Array | string, contentType: string, stats: SinkStats, options: DeliveryOptions = {}): Promise<void> {
  const attempts = options.attempts ?? 5;
  let backoff = options.backoffMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    let status: number | null = null;
    let detail: string;
    let wait: number | null = null;
    try {
      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': contentType, ...options.headers },
        // A redirect could point the server anywhere: never followed.
        redirect: 'manual',
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        signal: options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs ?? 10_000)]) : AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      status = res.status;
      const text = await res.text();
      if (res.ok) return;
      detail = `${res.status} ${text.slice(0, 200)}`;
      const retryable = res.status === 429 || res.status >= 500;
      if (!retryable) {
        stats.requestsRefused++;
        stats.lastError = detail;
        throw new DeliveryError(`the destination refused the batch: ${detail}`, status);
      }
      wait = retryAfterMs(res.headers.get('retry-after'));
    } catch (e) {
      if (e instanceof DeliveryError) throw e;
      // Stopped by the caller: not a failure of the destination, nothing to retry.
      if (options.signal?.aborted) throw options.signal.reason as Error;
      // The allowlist refused the connection: it will refuse it again.
      const cause = (e as { cause?: unknown }).cause;
      if (cause instanceof DestinationRefused) {
        stats.requestsRefused++;
        stats.lastError = cause.message;
        throw new DeliveryError(`the destination is not allowed: ${cause.message}`, null);
      }
      detail = (e as Error).message;
    }
    if (attempt >= attempts) {
      stats.requestsRefused++;
      stats.lastError = detail;
      throw new DeliveryError(`gave up after ${attempts} attempts: ${detail}`, status);
    }
    stats.retries++;
    await sleep(Math.min(30_000, wait ?? backoff), undefined, options.signal ? { signal: options.signal } : {});
    backoff = Math.min(30_000, backoff * 2);
  }
}
