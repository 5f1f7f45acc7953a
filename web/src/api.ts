// The console's calls to the API: the key from sessionStorage on each, problem documents turned
// into errors, the job event stream read from fetch (EventSource cannot send a key), and
// downloads that carry the key too. The types are the OpenAPI document's (openapi/meltgen-api.d.ts).
import type { FieldError, JobEvent, Problem } from '../../openapi/meltgen-api.d.ts';

export type * from '../../openapi/meltgen-api.d.ts';

const KEY_ITEM = 'meltgen.apiKey';

/** Whether the server asks for keys: the server writes it into the page. */
export const keysRequired = document.querySelector<HTMLMetaElement>('meta[name="meltgen-keys"]')?.content === 'required';

/** The key of this tab, kept in sessionStorage: gone when the tab closes, never sent elsewhere. */
export function getKey(): string | null {
  return sessionStorage.getItem(KEY_ITEM);
}

/** Keeps a pasted key for this tab and tells the page (the key panel, the view). */
export function setKey(key: string): void {
  sessionStorage.setItem(KEY_ITEM, key.trim());
  window.dispatchEvent(new Event('meltgen:key'));
}

/** Drops the tab's key (the header's Forget key, or a key the server refused). */
export function forgetKey(): void {
  sessionStorage.removeItem(KEY_ITEM);
  window.dispatchEvent(new Event('meltgen:key'));
}

/** Whether calls can be made: the server runs open, or a key is set. */
export function canCall(): boolean {
  return !keysRequired || getKey() !== null;
}

function authHeaders(): Record<string, string> {
  const key = getKey();
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** A call that failed: the HTTP status and the problem document the API sent. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem ? `${problem.detail} (${problem.code})` : `HTTP ${status}`);
    this.name = 'ApiError';
  }

  /** The problem's per-field errors (`/body/days`, …); empty when it has none. */
  get fieldErrors(): FieldError[] {
    return this.problem?.errors ?? [];
  }
}

async function fail(res: Response): Promise<never> {
  let problem: Problem | null = null;
  if ((res.headers.get('content-type') ?? '').includes('json')) problem = (await res.json()) as Problem;
  // A 401 means the key is missing or not valid: the key panel asks for one.
  if (res.status === 401) window.dispatchEvent(new CustomEvent('meltgen:unauthorized', { detail: problem?.detail }));
  throw new ApiError(res.status, problem);
}

/** Calls the API and parses its JSON; a 4xx or 5xx becomes an ApiError with the problem document. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  if (!res.ok) return fail(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Calls the API for a text body (NDJSON, the report table). */
export async function apiText(path: string, signal?: AbortSignal): Promise<string> {
  const res = await fetch(path, { headers: authHeaders(), ...(signal ? { signal } : {}) });
  if (!res.ok) return fail(res);
  return res.text();
}

/**
 * Follows a job's events (GET /v1/jobs/{id}/events) until the server ends the stream or `signal`
 * aborts; each parsed event goes to `onEvent`. Read with fetch, since EventSource cannot send the
 * Authorization header.
 */
export async function followJob(id: string, onEvent: (e: JobEvent) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(`/v1/jobs/${id}/events`, { headers: { accept: 'text/event-stream', ...authHeaders() }, signal });
  if (!res.ok || !res.body) return fail(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = '';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (event && data) onEvent({ event, data: JSON.parse(data) } as JobEvent);
    }
  }
}

/** Whether an error is the abort of a view that was left (not worth showing). */
export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

/**
 * Downloads a file of the API. On an open server a plain link does it (the browser streams it to
 * disk); with a key, the file is fetched with the key and handed over as a blob, since a link
 * cannot carry the Authorization header.
 */
export async function download(path: string, fallbackName: string, onProgress?: (bytes: number) => void): Promise<void> {
  if (!getKey()) {
    const a = Object.assign(document.createElement('a'), { href: path, download: '' });
    document.body.append(a);
    a.click();
    a.remove();
    return;
  }
  const res = await fetch(path, { headers: authHeaders() });
  if (!res.ok || !res.body) return fail(res);
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(value);
    bytes += value.byteLength;
    onProgress?.(bytes);
  }
  const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: res.headers.get('content-type') ?? 'application/octet-stream' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the blob; the URL can go once the click has been handled.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
