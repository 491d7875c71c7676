import { generatePrimeSync } from "node:crypto";
import { rsaKeyFromPrimes, type TeeSigningKey } from "../../devnet/src/crypto/rsa-keygen.ts";

// RSA-2048 TEE keys for thousands of synthetic nodes. Generating each key from scratch costs ~150 ms (25 minutes
// for 10,000), so the keys are all products of pairs from one pool of 1024-bit primes: k primes give k(k-1)/2
// distinct moduli, each a valid RSA-2048 key with its own teeId. Fine for a benchmark, obviously not for real
// keys (two keys sharing a prime reveal each other).

const PRIME_BITS = 1024;

/** A 1024-bit prime with its two top bits set, so a product of two has exactly 2048 bits. */
function bigPrime(): bigint {
  for (;;) {
    const p = generatePrimeSync(PRIME_BITS, { bigint: true });
    if (p >> BigInt(PRIME_BITS - 2) === 3n) return p;
  }
}

/** `count` distinct RSA-2048 keys (e = 65537). */
export function teeKeys(count: number): TeeSigningKey[] {
  let poolSize = 2;
  while ((poolSize * (poolSize - 1)) / 2 < count * 1.02 + 8) poolSize++;
  const primes = Array.from({ length: poolSize }, bigPrime);
  const keys: TeeSigningKey[] = [];
  // Pairs (i, j) in an order that spreads each prime over the list.
  for (let gap = 1; gap < poolSize && keys.length < count; gap++) {
    for (let i = 0; i + gap < poolSize && keys.length < count; i++) {
      const [a, b] = [primes[i], primes[i + gap]];
      const [p, q] = a > b ? [a, b] : [b, a];
      // FIPS 186: |p - q| > 2^(nlen/2 - 100).
      if (p - q <= 1n << BigInt(PRIME_BITS - 100)) continue;
      const key = rsaKeyFromPrimes(p, q);
      if (key) keys.push(key);
    }
  }
  if (keys.length < count)
    throw new Error(`made ${keys.length} RSA keys from the prime pool, expected ${count}`);
  return keys;
}
