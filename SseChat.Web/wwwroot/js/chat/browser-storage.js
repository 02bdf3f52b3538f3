// localStorage that never throws. Reading or writing it fails outright where the browser blocks site data (some
// private modes, locked-down profiles) or the quota is full; the page must still work then, only forgetting more.

/** The stored value, or null when there is none or storage cannot be read. */
export function readStored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Stores the value (null removes it); returns whether it was kept. */
export function writeStored(key, value) {
  try {
    if (value === null) {
      localStorage.removeItem(key);
    } else {
      localStorage.setItem(key, value);
    }
    return true;
  } catch {
    return false;
  }
}
