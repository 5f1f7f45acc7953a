/** Milliseconds in one minute and one day. */
export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** Parses `YYYY-MM-DD` as midnight UTC; returns NaN for anything that is not a real date. */
export function parseDate(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return Number.NaN;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return Number.NaN;
  return ms;
}

/** `2024-06-14T18:00:00Z` */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/** `2024-06-14T18:00:00.123Z` */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/** A record's time moved by `deltaMs`, in its own format: seconds stay seconds, milliseconds stay milliseconds. */
export function shiftIso(iso: string, deltaMs: number): string {
  const ms = Date.parse(iso) + deltaMs;
  return iso.length > 20 ? isoMillis(ms) : isoSeconds(ms);
}

/** `2024-06-14` */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const PAD2: string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * ISO formatting for the timestamps of one UTC day, without a Date per call: the date part is
 * fixed and the time part comes from lookup tables. Gives exactly what toISOString gives
 * (milliseconds) or its seconds form; outside the day it falls back to Date.
 */
export function dayFormatter(dayStartMs: number): { millis(ms: number): string; seconds(ms: number): string } {
  const prefix = new Date(dayStartMs).toISOString().slice(0, 11);
  const time = (ms: number): string => {
    const t = ms - dayStartMs;
    const s = Math.floor(t / 1000);
    return `${PAD2[Math.floor(s / 3600)] as string}:${PAD2[Math.floor(s / 60) % 60] as string}:${PAD2[s % 60] as string}`;
  };
  return {
    millis(ms) {
      if (ms < dayStartMs || ms >= dayStartMs + DAY_MS || !Number.isInteger(ms)) return isoMillis(ms);
      return `${prefix}${time(ms)}.${PAD3[(ms - dayStartMs) % 1000] as string}Z`;
    },
    seconds(ms) {
      if (ms < dayStartMs || ms >= dayStartMs + DAY_MS || !Number.isInteger(ms)) return isoSeconds(ms);
      return `${prefix}${time(ms)}Z`;
    },
  };
}
