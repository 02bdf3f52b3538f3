// "Online now": the names from the latest `presence` event, a full snapshot that simply replaces the list. On a phone
// only the count shows until the reader opens the list (a <details>, so keyboards and screen readers know it).
// Names are user input, so they only ever go in as textContent, each in a <bdi> so that one written right to left
// cannot reorder the list around it. An administrator's name carries the admin mark, and a visitor who shares the
// name is listed apart, without it.
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

  /** Applies a `presence` event: {online: [names], count, admin: [whether each name is an administrator's]}. */
  show({ online, count, admin = [] }) {
    this.#list.replaceChildren(...online.map((name, index) => {
      const item = document.createElement('li');
      item.className = 'list-inline-item presence-name';
      const shownName = document.createElement('bdi');
      shownName.textContent = name;
      item.append(shownName);
      if (admin[index] === true) {
        item.classList.add('presence-admin');
        const mark = document.createElement('span');
        mark.className = 'badge text-bg-primary ms-1';
        mark.textContent = text('presence.admin');
        item.append(mark);
      }
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
