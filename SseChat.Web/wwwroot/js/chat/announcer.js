// Tells screen-reader users about new messages through one polite live region, briefly ("New message from Ann"),
// instead of making the whole list live, which would read every message in full as it arrives. Messages that come
// together are announced together.
import { plural, text } from './ui-text.js';

const ANNOUNCE_DELAY_MS = 750;

export class Announcer {
  #region;
  #authors = [];
  #timer = null;

  constructor(region) {
    this.#region = region;
  }

  newMessageFrom(author) {
    this.#authors.push(author);
    this.#timer ??= setTimeout(() => this.#announce(), ANNOUNCE_DELAY_MS);
  }

  #announce() {
    const authors = [...new Set(this.#authors)];
    const count = this.#authors.length;
    this.#authors = [];
    this.#timer = null;
    this.#region.textContent = plural('announcer.newMessages', count, { authors: authors.join(text('list.separator')) });
  }
}
