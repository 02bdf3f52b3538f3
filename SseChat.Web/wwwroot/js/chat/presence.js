// "Online now": the names from the latest `presence` event, a full snapshot that simply replaces the list. On a phone
// only the count shows until the reader opens the list (a <details>, so keyboards and screen readers know it).
// Names are user input, so they only ever go in as textContent.
import { formatNumber, text } from './ui-text.js';

// From this width (Bootstrap's sm) the names fit beside the messages, so the list starts open.
const WIDE_SCREEN = '(min-width: 576px)';

export class PresenceList {
  #list;
  #count;
  #more;

  constructor({ disclosure, list, count, more }) {
    this.#list = list;
    this.#count = count;
    this.#more = more;
    // Closed on a phone (where the server renders it so), open on a wider screen; the reader may toggle either.
    disclosure.open = matchMedia(WIDE_SCREEN).matches;
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
}
