// The text being written in a room, kept in localStorage so a reload (or a crash) does not lose it. One draft per
// room; cleared once the server has the message. Storage can be unavailable or full (private windows, quotas):
// then drafts simply are not kept.
import { readStored, writeStored } from './browser-storage.js';

const KEY_PREFIX = 'ssechat.draft.';

export class DraftStore {
  #key;

  constructor(room) {
    this.#key = KEY_PREFIX + room;
  }

  load() {
    return readStored(this.#key) ?? '';
  }

  save(text) {
    writeStored(this.#key, text === '' ? null : text);
  }

  clear() {
    this.save('');
  }
}
