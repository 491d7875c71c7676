import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { bytesToHex, type Hex, keccak256 } from "viem";
import type { Rng } from "./rng.ts";

/** A TEE's RSA signing key as the devnet uses it: the spec's teeId is keccak256 of the spki DER. */
export interface TeeSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** DER SubjectPublicKeyInfo of the public key, 0x hex: what registerTEEWithAttestation takes. */
  publicKeyDer: Hex;
  /** keccak256(publicKeyDer). */
  teeId: Hex;
}

export const RSA_MODULUS_BITS = 2048;
const PRIME_BITS = RSA_MODULUS_BITS / 2;
const PUBLIC_EXPONENT = 65537n;
/**
 * Random-base Miller–Rabin rounds after the base-2 filter. FIPS 186-4 Table C.3 asks for 5 rounds for the
 * 1024-bit primes of RSA-2048 (error <= 2^-100 for random candidates); 8 leaves a margin for little cost.
 */
const MILLER_RABIN_ROUNDS = 8;
/** Odd candidates sieved per random start: ~11 mean prime gaps at 1024 bits, so a restart is very rare. */
const SIEVE_WINDOW = 4096;
const SIEVE_BOUND = 1 << 16;

/**
 * Deterministic RSA-2048 key (e = 65537) from the rng: the same rng state always gives the same key.
 * Consumes the rng, so two calls on one rng give two different keys; fork per node for stable keys.
 */
export function generateTeeKey(rng: Rng): TeeSigningKey {
  for (;;) {
    const a = generatePrime(PRIME_BITS, rng);
    const b = generatePrime(PRIME_BITS, rng);
    const [p, q] = a > b ? [a, b] : [b, a];
    // FIPS 186 asks |p - q| > 2^(nlen/2 - 100), else n is open to Fermat factoring. Never seen in practice.
    if (p - q <= 1n << BigInt(PRIME_BITS - 100)) continue;
    const key = rsaKeyFromPrimes(p, q);
    if (key) return key;
  }
}

/** The key with these primes, or undefined when they do not make a FIPS-acceptable RSA-2048 key. */
export function rsaKeyFromPrimes(p: bigint, q: bigint): TeeSigningKey | undefined {
  const n = p * q;
  if (bitLength(n) !== RSA_MODULUS_BITS || p === q) return undefined;
  const lambda = lcm(p - 1n, q - 1n);
  const d = modInverse(PUBLIC_EXPONENT, lambda);
  // FIPS 186 asks d > 2^(nlen/2); a smaller d would be a weak key.
  if (d === undefined || d <= 1n << BigInt(PRIME_BITS)) return undefined;
  const qi = modInverse(q, p);
  if (qi === undefined) return undefined;
  const jwk: JsonWebKey = {
    kty: "RSA",
    n: toBase64Url(n),
    e: toBase64Url(PUBLIC_EXPONENT),
    d: toBase64Url(d),
    p: toBase64Url(p),
    q: toBase64Url(q),
    dp: toBase64Url(d % (p - 1n)),
    dq: toBase64Url(d % (q - 1n)),
    qi: toBase64Url(qi),
  };
  return teeKeyFromPrivateKey(createPrivateKey({ key: jwk, format: "jwk" }));
}

/** Public key DER and teeId of any RSA private key. */
export function teeKeyFromPrivateKey(privateKey: KeyObject): TeeSigningKey {
  const publicKey = createPublicKey(privateKey);
  const publicKeyDer = bytesToHex(publicKey.export({ type: "spki", format: "der" }));
  return { privateKey, publicKey, publicKeyDer, teeId: keccak256(publicKeyDer) };
}

/**
 * A random prime of exactly `bits` bits with its top two bits set (so a product of two has 2*bits bits) and
 * p mod 65537 != 1 (so e = 65537 is invertible). Sieves a window of odd numbers above a random start with the
 * primes below 2^16, then runs Miller–Rabin on the survivors in order.
 */
export function generatePrime(bits: number, rng: Rng): bigint {
  if (!Number.isInteger(bits) || bits < 32)
    throw new RangeError(`Got bits=${bits}, expected an integer >= 32`);
  const smallPrimes = getSmallPrimes();
  const e = Number(PUBLIC_EXPONENT);
  for (;;) {
    const start = randomOddWithTopBits(bits, rng);
    const composite = new Uint8Array(SIEVE_WINDOW);
    const residues = residuesOf(start, smallPrimes);
    for (let i = 0; i < smallPrimes.length; i++) {
      const prime = smallPrimes[i];
      // Candidate start + 2k is divisible by prime when 2k = -r (mod prime), i.e. k = -r * 2^-1 (mod prime).
      const k0 = (((prime - residues[i]) % prime) * ((prime + 1) / 2)) % prime;
      for (let k = k0; k < SIEVE_WINDOW; k += prime) composite[k] = 1;
    }
    const startModE = residuesOf(start, Uint32Array.of(e))[0];
    for (let k = 0; k < SIEVE_WINDOW; k++) {
      if (composite[k] || (startModE + 2 * k) % e === 1) continue;
      const candidate = start + 2n * BigInt(k);
      if (candidate >> BigInt(bits) !== 0n) break; // walked past 2^bits: take a new start
      if (passesMillerRabin(candidate, rng, MILLER_RABIN_ROUNDS)) return candidate;
    }
  }
}

/**
 * Primality test: trial division by the primes below 2^16 (exact for n below 2^32), then Miller–Rabin.
 * For larger n a composite passes with probability <= 4^-rounds.
 */
export function isProbablePrime(n: bigint, rng: Rng, rounds = MILLER_RABIN_ROUNDS): boolean {
  if (n < 2n) return false;
  if (n % 2n === 0n) return n === 2n;
  const smallPrimes = getSmallPrimes();
  const residues = residuesOf(n, smallPrimes);
  for (let i = 0; i < smallPrimes.length; i++) {
    if (residues[i] === 0) return n === BigInt(smallPrimes[i]);
  }
  if (n < BigInt(SIEVE_BOUND) ** 2n) return true; // no prime factor below its square root
  return passesMillerRabin(n, rng, rounds);
}

/**
 * Miller–Rabin on an odd n > 3 with no small factors: base 2 first (cheap, and rejects nearly every composite
 * that survived the sieve), then `rounds` bases from the rng.
 */
function passesMillerRabin(n: bigint, rng: Rng, rounds: number): boolean {
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  if (!passesMillerRabinRound(powMod2(d, n), n, s)) return false;
  const byteLength = Math.ceil(bitLength(n) / 8);
  for (let round = 0; round < rounds; round++) {
    // A base in [2, n-2]; 64 extra random bits make the modulo bias negligible.
    const base = 2n + (bytesToBigInt(rng.bytes(byteLength + 8)) % (n - 3n));
    if (!passesMillerRabinRound(powMod(base, d, n), n, s)) return false;
  }
  return true;
}

/** One round, given x = a^d mod n (n - 1 = d * 2^s, d odd): true unless the base a proves n composite. */
function passesMillerRabinRound(x: bigint, n: bigint, s: number): boolean {
  const nMinus1 = n - 1n;
  if (x === 1n || x === nMinus1) return true;
  let y = x;
  for (let i = 1; i < s; i++) {
    y = (y * y) % n;
    if (y === nMinus1) return true;
    if (y === 1n) return false;
  }
  return false;
}

/** 2^exponent mod m by left-to-right squaring, where multiplying by 2 is a shift. */
function powMod2(exponent: bigint, m: bigint): bigint {
  let result = 1n;
  for (const bit of exponent.toString(2)) {
    result = (result * result) % m;
    if (bit === "1") {
      result <<= 1n;
      if (result >= m) result -= m;
    }
  }
  return result;
}

/** base^exponent mod m, sliding window of 5 bits: ~1 multiplication per 6 exponent bits besides the squarings. */
function powMod(base: bigint, exponent: bigint, m: bigint): bigint {
  if (m === 1n) return 0n;
  const windowBits = 5;
  const b = ((base % m) + m) % m;
  const bSquared = (b * b) % m;
  const oddPowers = [b]; // b^1, b^3, b^5, ..., b^(2^windowBits - 1)
  for (let i = 1; i < 1 << (windowBits - 1); i++) oddPowers.push((oddPowers[i - 1] * bSquared) % m);
  const bits = exponent.toString(2);
  let result = 1n;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === "0") {
      result = (result * result) % m;
      i++;
      continue;
    }
    let j = Math.min(i + windowBits, bits.length);
    while (bits[j - 1] === "0") j--;
    for (let k = i; k < j; k++) result = (result * result) % m;
    result = (result * oddPowers[Number.parseInt(bits.slice(i, j), 2) >> 1]) % m;
    i = j;
  }
  return result;
}

function randomOddWithTopBits(bits: number, rng: Rng): bigint {
  const byteLength = Math.ceil(bits / 8);
  let x = bytesToBigInt(rng.bytes(byteLength)) >> BigInt(byteLength * 8 - bits);
  x |= 3n << BigInt(bits - 2);
  return x | 1n;
}

/** x mod each small prime, from 32-bit limbs so the work stays in doubles (r * 2^32 + limb < 2^49). */
function residuesOf(x: bigint, primes: Uint32Array): Uint32Array {
  const limbs: number[] = [];
  for (let rest = x; rest > 0n; rest >>= 32n) limbs.push(Number(rest & 0xffffffffn));
  limbs.reverse();
  const residues = new Uint32Array(primes.length);
  for (let i = 0; i < primes.length; i++) {
    const prime = primes[i];
    let r = 0;
    for (const limb of limbs) r = (r * 4294967296 + limb) % prime;
    residues[i] = r;
  }
  return residues;
}

let smallPrimesCache: Uint32Array | undefined;
/** Odd primes below 2^16 (the sieve bound). */
function getSmallPrimes(): Uint32Array {
  if (smallPrimesCache) return smallPrimesCache;
  const isComposite = new Uint8Array(SIEVE_BOUND);
  const primes: number[] = [];
  for (let i = 3; i < SIEVE_BOUND; i += 2) {
    if (isComposite[i]) continue;
    primes.push(i);
    for (let j = i * i; j < SIEVE_BOUND; j += 2 * i) isComposite[j] = 1;
  }
  smallPrimesCache = Uint32Array.from(primes);
  return smallPrimesCache;
}

function modInverse(a: bigint, m: bigint): bigint | undefined {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) return undefined;
  return ((oldS % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function lcm(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(bytesToHex(bytes));
}

function toBase64Url(x: bigint): string {
  const hex = x.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex").toString("base64url");
}
