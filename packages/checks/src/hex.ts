/**
 * Strict, fast 0x-hex decoding for data read from the chain. Node's hex decoder stops silently at the first
 * character pair that is not hex, so "decoded as many bytes as the text holds" proves every pair was hex.
 */

/** The bytes of `hex` ("0x" then an even number of hex digits, either case), or undefined for anything else. */
export function hexToBuffer(hex: unknown): Buffer | undefined {
  if (typeof hex !== "string" || hex.length % 2 !== 0 || hex[0] !== "0" || hex[1] !== "x") return undefined;
  const bytes = Buffer.from(hex.slice(2), "hex");
  return bytes.length === (hex.length - 2) / 2 ? bytes : undefined;
}

/** Writes the 32 bytes of `hex32` at `offset`; false (target possibly half-written) unless it is 32-byte 0x hex. */
export function write32(target: Buffer, offset: number, hex32: unknown): boolean {
  if (typeof hex32 !== "string" || hex32.length !== 66 || hex32[0] !== "0" || hex32[1] !== "x") return false;
  return target.write(hex32.slice(2), offset, 32, "hex") === 32;
}

/** Whether `hex` is 32 bytes of 0x hex (a bytes32 word such as a teeId or a hash). */
export function isHex32(hex: unknown): boolean {
  return typeof hex === "string" && hex.length === 66 && hexToBuffer(hex) !== undefined;
}

/** Whether two hex strings spell the same bytes, whatever the case of their digits. */
export function sameHex(a: string, b: string): boolean {
  return a.length === b.length && (a === b || a.toLowerCase() === b.toLowerCase());
}
