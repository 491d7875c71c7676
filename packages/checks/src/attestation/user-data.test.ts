import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeCoseSign1, decodeNitroPayload } from "./cose.ts";
import { fixtureDocument, nitridingUserData } from "./test-support.ts";
import { NITRIDING_USER_DATA_LENGTH, parseNitridingUserData, userDataBindingFailure } from "./user-data.ts";

function fixtureUserData(): Buffer {
  const cose = decodeCoseSign1(fixtureDocument());
  if (cose.ok !== true) throw new Error("fixture does not decode");
  const payload = decodeNitroPayload(cose.value.payload);
  if (!payload.ok || payload.value.userData === null) throw new Error("fixture payload has no user_data");
  return payload.value.userData;
}

const sha256 = (bytes: Uint8Array) => `0x${createHash("sha256").update(bytes).digest("hex")}`;

describe("parseNitridingUserData", () => {
  it("reads the fixture's 68 bytes as 0x1220 ‖ sha256(TLS certificate) ‖ 0x1220 ‖ sha256(signing key)", () => {
    const userData = fixtureUserData();
    expect(userData.length).toBe(NITRIDING_USER_DATA_LENGTH);
    const parsed = parseNitridingUserData(userData);
    expect(parsed).toEqual({
      ok: true,
      value: {
        tlsCertificatePrefix: "0x1220",
        tlsCertificateSha256: "0xb735546536e78ee12beea2d384fcda35f7491446c6858f79fa7ad5e4ae89b49f",
        signingKeyPrefix: "0x1220",
        signingKeySha256: "0xabf9d7453422eb419fc1391604b070a81bd6a61f4d9ae0ee71ab24d77670c154",
      },
    });
  });

  it("gives a reason for absent or wrongly sized user_data", () => {
    expect(parseNitridingUserData(null)).toEqual({
      ok: false,
      reason: "the document has no user_data to bind the keys",
    });
    for (const length of [0, 64, 67, 69]) {
      const parsed = parseNitridingUserData(Buffer.alloc(length));
      expect(parsed.ok).toBe(false);
      if (!parsed.ok)
        expect(parsed.reason).toBe(`user_data is ${length} bytes, not the 68 of two nitriding multihashes`);
    }
  });

  it("does not check the multihash prefixes, as og-evm does not", () => {
    const userData = nitridingUserData(Buffer.from("tls"), Buffer.from("key"));
    userData[0] = 0;
    userData[35] = 0;
    expect(userDataBindingFailure(userData, Buffer.from("key"), Buffer.from("tls"))).toBeNull();
  });
});

describe("userDataBindingFailure", () => {
  const tls = Buffer.from("a TLS certificate");
  const key = Buffer.from("a signing key");
  const userData = nitridingUserData(tls, key);

  it("passes when both hashes match the registered keys", () => {
    expect(userDataBindingFailure(userData, key, tls)).toBeNull();
  });

  it("names the TLS certificate first, then the signing key, with both hashes' first bytes", () => {
    const other = Buffer.from("another");
    expect(userDataBindingFailure(userData, other, other)).toBe(
      `user_data does not bind the registered TLS certificate (sha256 ${sha256(other).slice(0, 18)}… ≠ ${sha256(tls).slice(0, 18)}…)`,
    );
    expect(userDataBindingFailure(userData, other, tls)).toBe(
      `user_data does not bind the registered signing key (sha256 ${sha256(other).slice(0, 18)}… ≠ ${sha256(key).slice(0, 18)}…)`,
    );
  });

  it("refuses empty and oversized registered keys, as og-evm does", () => {
    expect(userDataBindingFailure(userData, key, Buffer.alloc(0))).toBe(
      "the registered TLS certificate is empty",
    );
    expect(userDataBindingFailure(userData, Buffer.alloc(0), tls)).toBe(
      "the registered signing key is empty",
    );
    expect(userDataBindingFailure(userData, Buffer.alloc(8193), tls)).toBe(
      "the registered signing key is 8193 bytes, more than the 8192 og-evm accepts",
    );
  });
});
