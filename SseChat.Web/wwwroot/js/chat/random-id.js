// Random ids made in the browser (client message ids, browser and tab ids). crypto.randomUUID exists only in secure
// contexts; getRandomValues works on plain http too.

/** A random id of the given number of bytes, as lowercase hex. */
export function randomHexId(bytes = 16) {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}
