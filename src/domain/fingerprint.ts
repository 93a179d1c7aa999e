/**
 * A stable 53-bit fingerprint of a string (cyrb53), as 14 hex digits. Used for idempotency keys
 * (same submission, same key), not for security.
 */
export function fingerprint(value: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/** Fingerprint of several parts, unambiguous about where one part ends. */
export function fingerprintOf(parts: readonly unknown[]): string {
  const text = JSON.stringify(parts);
  return `${fingerprint(text, 1)}${fingerprint(text, 2)}`;
}
