import seedrandom from 'seedrandom';

/**
 * A seeded pseudo-random source. Every function of the core that needs randomness takes one as
 * its first argument, so the same seed always yields the same bytes.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  uint32(): number;
}

/** Creates an Alea generator (seedrandom.alea: fast and well distributed) from a string seed. */
export function createRng(seed: string): Rng {
  const alea = seedrandom.alea(seed);
  return { next: alea, uint32: () => alea.int32() >>> 0 };
}

/**
 * Derives an independent child stream. Forking keeps one consumer's draws from shifting
 * another's: e.g. turning traces off must not change the metrics.
 */
export function fork(rng: Rng, label: string): Rng {
  return createRng(`${label}:${rng.uint32()}:${rng.uint32()}`);
}

export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** Integer in [lo, hi], both inclusive. */
export function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng.next() * (hi - lo + 1));
}

export function chance(rng: Rng, p: number): boolean {
  return rng.next() < p;
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick from an empty list');
  return items[Math.floor(rng.next() * items.length)] as T;
}

/** Picks a key with probability proportional to its weight; weights must not all be zero. */
export function weighted<K extends string>(rng: Rng, weights: Readonly<Record<K, number>>): K {
  const keys = Object.keys(weights) as K[];
  let total = 0;
  for (const k of keys) total += weights[k];
  let r = rng.next() * total;
  for (const k of keys) {
    r -= weights[k];
    if (r < 0 && weights[k] > 0) return k;
  }
  // Float round-off can leave r at ~0: fall back to the last key that has weight.
  for (let i = keys.length - 1; i >= 0; i--) if (weights[keys[i] as K] > 0) return keys[i] as K;
  throw new RangeError('weighted pick with no positive weight');
}

/** Standard normal draw (Box-Muller; one of the pair is dropped so each call costs two draws). */
export function normal(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Poisson draw by Knuth's method: fine for the small means used here (< 50). */
export function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** k distinct items in random order (partial Fisher-Yates on a copy). */
export function sample<T>(rng: Rng, items: readonly T[], k: number): T[] {
  const copy = items.slice();
  const n = Math.min(k, copy.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng.next() * (copy.length - i));
    const t = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = t;
  }
  return copy.slice(0, n);
}

const BYTE_HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The 8 lower-case hex digits of a 32-bit word. */
export function hexWord(w: number): string {
  return (
    (BYTE_HEX[(w >>> 24) & 255] as string) +
    (BYTE_HEX[(w >>> 16) & 255] as string) +
    (BYTE_HEX[(w >>> 8) & 255] as string) +
    (BYTE_HEX[w & 255] as string)
  );
}

/** Lower-case hex string of `chars` characters (a multiple of 8). */
export function hex(rng: Rng, chars: number): string {
  let s = '';
  for (let i = 0; i < chars; i += 8) s += hexWord(rng.uint32());
  return s;
}

/** An RFC 4122 version-4 shaped id drawn from the seeded stream (never crypto.randomUUID). */
export function uuid(rng: Rng): string {
  const a = rng.uint32();
  const b = (rng.uint32() & 0xffff0fff) | 0x00004000;
  const c = ((rng.uint32() & 0x3fffffff) | 0x80000000) >>> 0;
  const d = rng.uint32();
  const h = hexWord(a) + hexWord(b >>> 0) + hexWord(c) + hexWord(d);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
