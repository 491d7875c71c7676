import { Encoder } from "cbor-x";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeCbor, decodeCoseSign1, decodeNitroPayload, sigStructure } from "./cose.ts";
import {
  buildSyntheticDocument,
  fixtureDocument,
  indefiniteMap,
  makeSyntheticChain,
  type SyntheticChain,
} from "./test-support.ts";

const encoder = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false });
const T = Date.parse("2026-03-01T12:00:00.250Z");

describe("decodeCoseSign1", () => {
  it("decodes the fixture: an untagged array of 4, ES384 protected header, empty unprotected map", () => {
    const bytes = fixtureDocument();
    expect(bytes.length).toBe(4556);
    const cose = decodeCoseSign1(bytes);
    expect(cose.ok).toBe(true);
    if (cose.ok !== true) return;
    expect(cose.value.protectedHeader.toString("hex")).toBe("a1013822"); // {1: -35}, alg ES384
    expect(cose.value.unprotectedHeader.size).toBe(0);
    expect(cose.value.signature.length).toBe(96);
    // The payload bytes are kept exactly as they sit in the document (they are what the signature covers).
    expect(bytes.includes(cose.value.payload)).toBe(true);
    expect(cose.value.payload[0]).toBe(0xbf); // AWS encodes the payload as an indefinite-length map
  });

  it("accepts the same array tagged 18 (COSE_Sign1) with the same content", () => {
    const plain = decodeCoseSign1(fixtureDocument());
    const tagged = decodeCoseSign1(Buffer.concat([Buffer.from([0xd2]), fixtureDocument()]));
    expect(tagged).toEqual(plain);
  });

  it("calls anything that is not a CBOR array of 4 unrecognized, with a reason, never throwing", () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from("deadbeef", "hex"), /^not CBOR/],
      [fixtureDocument().subarray(0, 100), /^not CBOR \(.+\)$/],
      [Buffer.concat([fixtureDocument(), Buffer.from([0])]), /^not CBOR/], // trailing byte
      [Buffer.from(encoder.encode([1, 2, 3])), /^CBOR an array of 3, not a COSE_Sign1 array of 4$/],
      [Buffer.from(encoder.encode(new Map([["a", 1]]))), /^CBOR a map of 1, not a COSE_Sign1/],
      [Buffer.concat([Buffer.from([0xd1]), fixtureDocument()]), /^a CBOR item tagged 17$/],
      [Buffer.alloc(0), /^not CBOR \(empty\)$/],
    ];
    for (const [bytes, reason] of cases) {
      const result = decodeCoseSign1(bytes);
      expect(result.ok).toBeUndefined();
      expect(result.ok === undefined && result.reason).toMatch(reason);
    }
  });

  it("gives a COSE reason for an array of 4 whose items have the wrong types", () => {
    const bytes = Buffer.from(encoder.encode([Buffer.alloc(1), new Map(), "payload", Buffer.alloc(96)]));
    expect(decodeCoseSign1(bytes)).toEqual({
      ok: false,
      reason: 'COSE payload is the text "payload", not a byte string',
    });
    const noMap = Buffer.from(encoder.encode([Buffer.alloc(1), [], Buffer.alloc(1), Buffer.alloc(96)]));
    expect(decodeCoseSign1(noMap)).toEqual({
      ok: false,
      reason: "COSE unprotected header is an array of 0, not a map",
    });
  });

  it("never throws on any prefix of the fixture or on random bytes", () => {
    const bytes = fixtureDocument();
    for (let end = 0; end < bytes.length; end += 7) {
      expect(() => decodeCoseSign1(bytes.subarray(0, end))).not.toThrow();
    }
    let seed = 1;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    };
    for (let i = 0; i < 500; i++) {
      const garbage = Buffer.from(Array.from({ length: 1 + (i % 64) }, random));
      expect(() => decodeCoseSign1(garbage)).not.toThrow();
    }
  });
});

describe("decodeNitroPayload", () => {
  let chain: SyntheticChain;
  beforeAll(async () => {
    chain = await makeSyntheticChain(T);
  });

  function payloadOf(document: Buffer) {
    const cose = decodeCoseSign1(document);
    if (cose.ok !== true) throw new Error(`not COSE: ${cose.reason}`);
    return { bytes: cose.value.payload, decoded: decodeNitroPayload(cose.value.payload) };
  }

  it("decodes the fixture's fields with their types", () => {
    const { decoded } = payloadOf(fixtureDocument());
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value.moduleId).toBe("i-0340e0cb833504eb6-enc019c12d31f78864d");
    expect(decoded.value.digest).toBe("SHA384");
    expect(new Date(decoded.value.timestampMs).toISOString()).toBe("2026-02-12T17:56:02.724Z");
    expect([...decoded.value.pcrs.keys()]).toEqual([...Array(16).keys()]);
    expect(decoded.value.cabundle.length).toBe(4);
    expect(decoded.value.userData?.length).toBe(68);
  });

  it("decodes an indefinite-length payload map the same as a definite one", () => {
    const definite = payloadOf(buildSyntheticDocument(chain, { timestampMs: T, indefinite: false }));
    const indefinite = payloadOf(buildSyntheticDocument(chain, { timestampMs: T, indefinite: true }));
    expect(definite.bytes[0] >> 5).toBe(5); // major type 5, map
    expect(definite.bytes[0]).not.toBe(0xbf);
    expect(indefinite.bytes[0]).toBe(0xbf);
    expect(indefinite.bytes.at(-1)).toBe(0xff);
    expect(indefinite.decoded.ok).toBe(true);
    expect(indefinite.decoded).toEqual(definite.decoded);
  });

  it("decodes indefinite-length maps and arrays nested anywhere (pcrs, cabundle)", () => {
    const pcrs = indefiniteMap(new Map([0, 1, 2].map((i) => [i, Buffer.alloc(48, i)])));
    const cabundle = Buffer.concat([
      Buffer.from([0x9f]),
      Buffer.from(encoder.encode(Buffer.alloc(3))),
      Buffer.from([0xff]),
    ]);
    const entries = [
      ["module_id", "m"],
      ["digest", "SHA384"],
      ["timestamp", 1],
      ["certificate", Buffer.alloc(2)],
    ].flatMap(([k, v]) => [encoder.encode(k), encoder.encode(v)]);
    const payload = Buffer.concat([
      Buffer.from([0xbf]),
      ...entries,
      encoder.encode("pcrs"),
      pcrs,
      encoder.encode("cabundle"),
      cabundle,
      Buffer.from([0xff]),
    ]);
    const decoded = decodeNitroPayload(payload);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value.pcrs.get(2)).toEqual(Buffer.alloc(48, 2));
    expect(decoded.value.cabundle).toEqual([Buffer.alloc(3)]);
    expect(decoded.value.userData).toBeNull();
  });

  it("names the first missing or mistyped field", () => {
    const cases: [(payload: Map<string, unknown>) => void, string][] = [
      [(p) => p.delete("module_id"), "payload module_id is missing, not a text string"],
      [
        (p) => p.set("timestamp", "now"),
        'payload timestamp is the text "now", not an unsigned integer of milliseconds',
      ],
      [
        (p) => p.set("timestamp", -5),
        "payload timestamp is the number -5, not an unsigned integer of milliseconds",
      ],
      [(p) => p.set("pcrs", [Buffer.alloc(48)]), "payload pcrs is an array of 1, not a map"],
      [
        (p) => p.set("pcrs", new Map([["0", Buffer.alloc(48)]])),
        'payload pcrs has the key the text "0", not a PCR index',
      ],
      [(p) => p.set("pcrs", new Map([[0, "x"]])), 'payload PCR0 is the text "x", not a byte string'],
      [(p) => p.delete("certificate"), "payload certificate is missing, not a byte string"],
      [
        (p) => p.set("cabundle", Buffer.alloc(3)),
        "payload cabundle is a byte string of 3 bytes, not an array",
      ],
      [
        (p) => p.set("cabundle", [Buffer.alloc(3), 7]),
        "payload cabundle[1] is the number 7, not a byte string",
      ],
      [(p) => p.set("user_data", "binding"), 'payload user_data is the text "binding", not a byte string'],
    ];
    for (const [edit, reason] of cases) {
      expect(payloadOf(buildSyntheticDocument(chain, { timestampMs: T, edit })).decoded).toEqual({
        ok: false,
        reason,
      });
    }
  });

  it("gives a reason for a payload that is not CBOR or not a map", () => {
    expect(decodeNitroPayload(Buffer.from("ff", "hex")).ok).toBe(false);
    expect(decodeNitroPayload(Buffer.from(encoder.encode([1])))).toEqual({
      ok: false,
      reason: "the COSE payload is an array of 1, not a map",
    });
  });
});

describe("sigStructure", () => {
  it("is the CBOR of [\"Signature1\", protected, h'', payload] in its shortest form", () => {
    const signed = sigStructure(Buffer.from("a1013822", "hex"), Buffer.from("hi"));
    expect(signed.toString("hex")).toBe(`846a${Buffer.from("Signature1").toString("hex")}44a101382240426869`);
    expect(decodeCbor(signed)).toEqual({
      ok: true,
      value: ["Signature1", Buffer.from("a1013822", "hex"), Buffer.alloc(0), Buffer.from("hi")],
    });
  });

  it("uses 1-, 2- and 4-byte length heads as the payload grows", () => {
    for (const length of [23, 24, 255, 256, 65535, 65536]) {
      const payload = Buffer.alloc(length, 7);
      const signed = sigStructure(Buffer.alloc(0), payload);
      const expected = Buffer.from(encoder.encode(["Signature1", Buffer.alloc(0), Buffer.alloc(0), payload]));
      expect(expected.equals(signed), `payload of ${length} bytes`).toBe(true);
    }
  });
});
