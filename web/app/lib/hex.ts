/** Shapes of the ids the explorer accepts in URLs and the search box. */
export const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
export const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export function isBytes32(text: string): boolean {
  return BYTES32.test(text);
}

export function isAddress(text: string): boolean {
  return ADDRESS.test(text);
}

export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const clean = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new Error(`Got ${JSON.stringify(hex)}, expected 0x-prefixed hex with an even number of digits`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let out = "0x";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/**
 * Bytes that hold text (a Walrus blob id is a string, e.g. base64url, which contracts carry as bytes) decoded as
 * that text: valid UTF-8 with no control characters, else null (then only the hex says what they are). Empty bytes
 * ("0x") are "".
 */
export function bytesAsText(hex: string): string | null {
  let bytes: Uint8Array;
  try {
    bytes = hexToBytes(hex);
  } catch {
    return null;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
  return /[\u0000-\u001f\u007f-\u009f]/.test(text) ? null : text;
}
