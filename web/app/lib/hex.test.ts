import { describe, expect, test } from "vitest";
import { bytesAsText } from "./hex";

const hexOf = (text: string) => `0x${Buffer.from(text, "utf8").toString("hex")}`;

describe("bytesAsText", () => {
  test("bytes holding a blob id read as that text", () => {
    expect(bytesAsText(hexOf("walrus:3f2a9c01b7"))).toBe("walrus:3f2a9c01b7");
    expect(bytesAsText(hexOf("M4hsZGQ1oCktdzegB6HnI6Mi28S2nqOPHxK-W7_4BUk"))).toBe(
      "M4hsZGQ1oCktdzegB6HnI6Mi28S2nqOPHxK-W7_4BUk",
    );
    expect(bytesAsText("0x")).toBe("");
  });

  test("bytes that are not printable UTF-8 (a hash, control characters, bad hex) are not text", () => {
    expect(bytesAsText(`0x${"ff".repeat(32)}`)).toBeNull();
    expect(bytesAsText(hexOf("blob\nid"))).toBeNull();
    expect(bytesAsText("0x00")).toBeNull();
    expect(bytesAsText("0xzz")).toBeNull();
  });
});
