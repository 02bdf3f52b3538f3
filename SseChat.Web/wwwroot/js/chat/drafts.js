// The text being written in a room, kept in localStorage so a reload (or a crash) does not lose it. One draft per
// room; cleared once the server has the message. Storage can be unavailable or full (private windows, quotas):
// then drafts simply are not kept.
const KEY_PREFIX = 'ssechat.draft.';

export class DraftStore {
  #key;

  constructor(room) {
    this.#key = KEY_PREFIX + room;
  }

  load() {
    try {
      return localStorage.getItem(this.#key) ?? '';
    } catch {
      return '';
    }
  }

  save(text) {
    try {
      if (text === '') {
        localStorage.removeItem(this.#key);
      } else {
        localStorage.setItem(this.#key, text);
      }
    } catch {
      // Not kept: see above.
    }
  }

  clear() {
    this.save('');
  }
}
