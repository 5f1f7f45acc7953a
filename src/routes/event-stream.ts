// Server-Sent Events, as the job and stream event routes send them.
import type { ServerResponse } from 'node:http';

/** One event: its name, an optional id (for Last-Event-ID), and its data as one line of JSON. */
export const sseEvent = (event: string, data: unknown, id?: number): string => `event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`;

/**
 * Starts an event stream on a hijacked reply: the headers (no caching, no proxy buffering, the
 * request's id) and a first comment line, so the client sees the stream open at once.
 */
export function openEventStream(raw: ServerResponse, requestId: string, comment: string): void {
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    'x-request-id': requestId,
  });
  raw.write(`: ${comment}\n\n`);
}
