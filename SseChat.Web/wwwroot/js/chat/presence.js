// "Online now": the names from the latest `presence` event, a full snapshot that simply replaces the list.
// Names are user input, so they only ever go in as textContent.
import { formatNumber, text } from './ui-text.js';

export class PresenceList {
  #list;
  #count;
  #more;

  constructor({ list, count, more }) {
    this.#list = list;
    this.#count = count;
    this.#more = more;
  }

  /** Applies a `presence` event: {online: [names], count}. */
  show({ online, count }) {
    this.#list.replaceChildren(...online.map((name) => {
      const item = document.createElement('li');
      item.className = 'list-inline-item presence-name';
      item.textContent = name;
      return item;
    }));
    this.#count.textContent = formatNumber(count);
    const more = count - online.length;
    this.#more.textContent = more > 0 ? text('presence.more', { count: more }) : '';
    this.#more.hidden = more <= 0;
  }

  /** Nobody is known to be online (the stream is away): an empty list rather than a stale one. */
  clear() {
    this.show({ online: [], count: 0 });
  }
}
