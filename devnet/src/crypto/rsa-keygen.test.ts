import { constants, createPublicKey, sign, verify } from "node:crypto";
import { keccak256 } from "viem";
import { describe, expect, it } from "vitest";
import { createRng } from "./rng.ts";
import { generatePrime, generateTeeKey, isProbablePrime, rsaKeyFromPrimes } from "./rsa-keygen.ts";

const b64ToBigInt = (b64url: string | undefined) =>
  BigInt(`0x${Buffer.from(b64url ?? "", "base64url").toString("hex")}`);
const bits = (x: bigint) => x.toString(2).length;
// teeId of generateTeeKey(createRng("node-0")) as first produced; a derivation change must update it knowingly.
const PINNED_NODE_0_TEE_ID = "0x990c681516667ba3322671610778965a3224ae799025c358c412a72f264c90bc";

describe("isProbablePrime", () => {
  it("agrees with a sieve below 5000", () => {
    const rng = createRng("primes");
    const composite = new Uint8Array(5_000);
    composite[0] = composite[1] = 1;
    for (let i = 2; i * i < 5_000; i++)
      if (!composite[i]) for (let j = i * i; j < 5_000; j += i) composite[j] = 1;
    for (let n = 0; n < 5_000; n++) expect(isProbablePrime(BigInt(n), rng), `n=${n}`).toBe(!composite[n]);
  });

  it("accepts large known primes and rejects their products", () => {
    const rng = createRng("mersenne");
    const m521 = 2n ** 521n - 1n;
    const m607 = 2n ** 607n - 1n;
    expect(isProbablePrime(m521, rng)).toBe(true);
    expect(isProbablePrime(m607, rng)).toBe(true);
    expect(isProbablePrime(2n ** 523n - 1n, rng)).toBe(false); // 523 is prime, M523 is not
    expect(isProbablePrime(m521 * m607, rng)).toBe(false);
  });

  it("rejects Carmichael numbers and a base-2 strong pseudoprime with no small factors", () => {
    const rng = createRng("pseudoprimes");
    for (const n of [561n, 41041n, 825265n, 321197185n, 3215031751n])
      expect(isProbablePrime(n, rng)).toBe(false);
    // 65539 * 262153 passes trial division and base 2; only the random-base rounds catch it.
    const spsp2 = 65539n * 262153n;
    expect(isProbablePrime(spsp2, rng, 0)).toBe(true);
    expect(isProbablePrime(spsp2, rng)).toBe(false);
  });
});

describe("generatePrime", () => {
  it("returns a prime of exactly the asked size with its top two bits set and p mod 65537 != 1", () => {
    const rng = createRng("gen-prime");
    for (const size of [64, 256, 1024]) {
      const p = generatePrime(size, rng);
      expect(bits(p)).toBe(size);
      expect(p >> BigInt(size - 2)).toBe(3n);
      expect(p % 65537n).not.toBe(1n);
      expect(isProbablePrime(p, createRng("check"), 20)).toBe(true);
    }
  });
});

describe("generateTeeKey", () => {
  const key = generateTeeKey(createRng("node-0"));

  it("gives the same key for the same seed and another key for another seed", () => {
    const again = generateTeeKey(createRng("node-0"));
    expect(again.publicKeyDer).toBe(key.publicKeyDer);
    expect(again.privateKey.export({ type: "pkcs8", format: "der" })).toEqual(
      key.privateKey.export({ type: "pkcs8", format: "der" }),
    );
    expect(generateTeeKey(createRng("node-1")).publicKeyDer).not.toBe(key.publicKeyDer);
  });

  it("gives successive keys from one rng, each reproducible", () => {
    const rng = createRng("many");
    const first = generateTeeKey(rng);
    const second = generateTeeKey(rng);
    expect(second.teeId).not.toBe(first.teeId);
    const replay = createRng("many");
    generateTeeKey(replay);
    expect(generateTeeKey(replay).teeId).toBe(second.teeId);
  });

  it("pins the key of a fixed seed, so a change to the derivation cannot pass unnoticed", () => {
    expect(key.teeId).toBe(PINNED_NODE_0_TEE_ID);
  });

  it("is a consistent RSA-2048 key with e = 65537 and 1024-bit primes", () => {
    const jwk = key.privateKey.export({ format: "jwk" });
    const [n, e, d, p, q] = [jwk.n, jwk.e, jwk.d, jwk.p, jwk.q].map(b64ToBigInt);
    expect(bits(n)).toBe(2048);
    expect(key.privateKey.asymmetricKeyDetails).toEqual({ modulusLength: 2048, publicExponent: 65537n });
    expect(e).toBe(65537n);
    expect(p * q).toBe(n);
    expect(bits(p)).toBe(1024);
    expect(bits(q)).toBe(1024);
    expect(isProbablePrime(p, createRng("p"), 20) && isProbablePrime(q, createRng("q"), 20)).toBe(true);
    expect(b64ToBigInt(jwk.dp)).toBe(d % (p - 1n));
    expect(b64ToBigInt(jwk.dq)).toBe(d % (q - 1n));
    expect((b64ToBigInt(jwk.qi) * q) % p).toBe(1n);
    // e * d = 1 mod lcm(p-1, q-1): check on a value, m^(e*d) = m mod n.
    const m = 0x1234567890abcdefn;
    let x = 1n;
    for (let base = m, exp = e * d; exp > 0n; exp >>= 1n, base = (base * base) % n)
      if (exp & 1n) x = (x * base) % n;
    expect(x).toBe(m);
  });

  it("exports the spki DER whose keccak256 is the teeId", () => {
    expect(key.publicKeyDer.startsWith("0x30820122300d06092a864886f70d01010105000382010f00")).toBe(true);
    expect(key.teeId).toBe(keccak256(key.publicKeyDer));
    const reparsed = createPublicKey({
      key: Buffer.from(key.publicKeyDer.slice(2), "hex"),
      format: "der",
      type: "spki",
    });
    expect(reparsed.equals(key.publicKey)).toBe(true);
  });

  it("is accepted by node:crypto for its own RSA-PSS signing and verification", () => {
    const message = Buffer.alloc(32, 7);
    const options = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    const signature = sign("sha256", message, { key: key.privateKey, ...options });
    expect(verify("sha256", message, { key: key.publicKey, ...options }, signature)).toBe(true);
    expect(verify("sha256", Buffer.alloc(32, 8), { key: key.publicKey, ...options }, signature)).toBe(false);
  });

  it("takes well under a second per key on average", () => {
    const count = 8;
    const started = performance.now();
    for (let i = 0; i < count; i++) generateTeeKey(createRng(`timing-${i}`));
    const meanMs = (performance.now() - started) / count;
    expect(meanMs).toBeLessThan(1000); // ~115 ms on the dev machine
  });
});

describe("rsaKeyFromPrimes", () => {
  it("refuses primes whose product is not 2048 bits", () => {
    const rng = createRng("small");
    expect(rsaKeyFromPrimes(generatePrime(512, rng), generatePrime(512, rng))).toBeUndefined();
  });
});
