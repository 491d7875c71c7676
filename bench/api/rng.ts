import type { Rng } from "../../devnet/src/crypto/rng.ts";

// A small, fast, seeded PRNG (xoshiro128**) for the synthetic chain: millions of draws, so devnet's HMAC stream
// (made for replayable devnets, not speed) would dominate the generation time. Not for secrets.

function seedWords(seed: string): [number, number, number, number] {
  // cyrb128: four 32-bit words from a string.
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0 || 1];
}

export class FastRng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    [this.a, this.b, this.c, this.d] = seedWords(seed);
  }

  /** A uniform integer in [0, 2^32). */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** A uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  /** `bytes` random bytes as lowercase hex without 0x (bytes a multiple of 4). */
  hex(bytes: number): string {
    let out = "";
    for (let i = 0; i < bytes; i += 4) out += this.u32().toString(16).padStart(8, "0");
    return out;
  }

  bytes32(): `0x${string}` {
    return `0x${this.hex(32)}`;
  }

  address(): `0x${string}` {
    return `0x${this.hex(20)}`;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * The devnet's Rng interface (what the traffic policy draws from) over FastRng: a fork is a FastRng seeded with the
 * parent's seed and the label, so forks depend only on their names, as in the devnet's stream.
 */
export class FastForkableRng implements Rng {
  private readonly fast: FastRng;
  constructor(private readonly seed: string) {
    this.fast = new FastRng(seed);
  }
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      const v = this.fast.u32();
      for (let k = 0; k < 4 && i + k < length; k++) out[i + k] = (v >>> (24 - 8 * k)) & 0xff;
    }
    return out;
  }
  uint32(): number {
    return this.fast.u32();
  }
  float(): number {
    return this.fast.float();
  }
  int(min: number, max: number): number {
    return this.fast.int(min, max);
  }
  bytes32(): `0x${string}` {
    return this.fast.bytes32();
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Got pick([]), expected a non-empty array");
    return this.fast.pick(items);
  }
  chance(p: number): boolean {
    return this.fast.chance(p);
  }
  fork(label: string): Rng {
    return new FastForkableRng(`${this.seed}\0${label}`);
  }
  /** The underlying fast stream, for the bench's own draws (addresses, hex). */
  get raw(): FastRng {
    return this.fast;
  }
}
