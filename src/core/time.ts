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

/** `2024-06-14` */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
