import { createHmac } from "node:crypto";
import { bytesToHex, type Hex } from "viem";

/**
 * A seeded, deterministic byte stream: the same seed always yields the same bytes, so a devnet run can be
 * replayed byte for byte. Not for real secrets: it is a PRF in counter mode, not an entropy source.
 */
export interface Rng {
  /** The next `length` bytes of the stream. */
  bytes(length: number): Uint8Array;
  /** A uniform integer in [0, 2^32). */
  uint32(): number;
  /** A uniform float in [0, 1) with 53 bits of precision. */
  float(): number;
  /** A uniform integer in [min, max], both ends included; the span may be at most 2^32 values. */
  int(min: number, max: number): number;
  /** 32 random bytes as 0x-prefixed hex (e.g. a request id or an output hash). */
  bytes32(): Hex;
  /** A uniformly chosen element; throws for an empty array. */
  pick<T>(items: readonly T[]): T;
  /** true with probability p (p <= 0 never, p >= 1 always). */
  chance(p: number): boolean;
  /**
   * An independent sub-stream named `label`. It depends only on this stream's seed and the label, never on how
   * much of this stream was consumed, so adding a draw in one part of the simulator does not shift another part.
   * Forking the same label twice gives the same stream.
   */
  fork(label: string): Rng;
}

const TWO_POW_32 = 2 ** 32;

/** HMAC-SHA256 keyed by the stream key: block i = HMAC(key, "block" || uint64be(i)); fork key = HMAC(key, "fork" || label). */
class HmacCounterRng implements Rng {
  private readonly key: Buffer;
  private counter = 0n;
  private block: Buffer = Buffer.alloc(0);
  private offset = 0;

  constructor(key: Buffer) {
    this.key = key;
  }

  bytes(length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0) {
      throw new RangeError(`Got bytes(${length}), expected a non-negative integer length`);
    }
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (this.offset === this.block.length) this.refill();
      const take = Math.min(length - filled, this.block.length - this.offset);
      out.set(this.block.subarray(this.offset, this.offset + take), filled);
      this.offset += take;
      filled += take;
    }
    return out;
  }

  uint32(): number {
    const b = this.bytes(4);
    return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  }

  float(): number {
    // 26 + 27 random bits make a uniform multiple of 2^-53, as Math.random-quality generators do.
    const high = this.uint32() >>> 6;
    const low = this.uint32() >>> 5;
    return (high * 2 ** 27 + low) / 2 ** 53;
  }

  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
      throw new RangeError(`Got int(${min}, ${max}), expected safe integers with min <= max`);
    }
    const span = max - min + 1;
    if (span > TWO_POW_32) {
      throw new RangeError(`Got int(${min}, ${max}), expected a span of at most 2^32 values`);
    }
    // Rejection sampling keeps the result unbiased: drop draws from the incomplete last multiple of span.
    const limit = TWO_POW_32 - (TWO_POW_32 % span);
    for (;;) {
      const draw = this.uint32();
      if (draw < limit) return min + (draw % span);
    }
  }

  bytes32(): Hex {
    return bytesToHex(this.bytes(32));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Got pick([]), expected a non-empty array");
    return items[this.int(0, items.length - 1)];
  }

  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.float() < p;
  }

  fork(label: string): Rng {
    const key = createHmac("sha256", this.key).update("fork\0").update(label, "utf8").digest();
    return new HmacCounterRng(key);
  }

  private refill(): void {
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(this.counter);
    this.counter += 1n;
    this.block = createHmac("sha256", this.key).update("block\0").update(counter).digest();
    this.offset = 0;
  }
}

/**
 * A deterministic generator from a seed. A string seed and a bigint seed never collide ("1" and 1n differ).
 */
export function createRng(seed: string | bigint): Rng {
  const tagged = typeof seed === "string" ? `string:${seed}` : `bigint:${seed.toString(10)}`;
  const key = createHmac("sha256", "devnet-rng/v1").update(tagged, "utf8").digest();
  return new HmacCounterRng(key);
}
