// The message list: renders messages from the server's <template>, keeps them in seq order and shows each seq
// once, whichever way it arrived (history, stream, or the reply to the page's own post). It groups them the way
// chat readers expect: a separator before each local day, and consecutive messages by one author within a few
// minutes under a single author line. Scrolling is the ScrollManager's business.
import { formatLocalTime, localDayKey, dayLabel } from './local-time.js';
import { setLinkifiedText } from './linkify.js';

// Messages by the same author closer together than this share one author line.
const GROUP_WINDOW_MS = 5 * 60 * 1000;

export class MessageList {
  #list;
  #template;
  #emptyNote;
  #scroll;
  #seen = new Set();

  constructor({ list, template, emptyNote, scroll }) {
    this.#list = list;
    this.#template = template;
    this.#emptyNote = emptyNote;
    this.#scroll = scroll;
    for (const item of this.#messageItems()) {
      this.#seen.add(Number(item.dataset.seq));
    }
    this.#regroup();
  }

  /** The oldest seq shown, or null when the list is empty. */
  get oldestSeq() {
    const first = this.#list.querySelector(':scope > li.message');
    return first ? Number(first.dataset.seq) : null;
  }

  /** The newest seq shown, or null when the list is empty. */
  get newestSeq() {
    const items = this.#messageItems();
    return items.length > 0 ? Number(items[items.length - 1].dataset.seq) : null;
  }

  /**
   * Adds a message in seq order. The reader stays at the bottom if they were there (or when `follow`, for their
   * own post); otherwise it counts as a new message they have not seen yet. Returns whether it was new here.
   */
  add(message, { follow = false } = {}) {
    if (this.#seen.has(message.seq)) {
      return false;
    }
    this.#seen.add(message.seq);
    if (message.removed) {
      return false; // replayed after a moderator removed it: there is nothing to show
    }
    this.#scroll.append(() => {
      const item = this.createItem(message);
      let next = null;
      for (let node = this.#list.lastElementChild; node; node = node.previousElementSibling) {
        if (node.classList.contains('message') && Number(node.dataset.seq) < message.seq) {
          break;
        }
        next = node;
      }
      this.#list.insertBefore(item, next);
      this.#emptyNote?.remove();
      this.#regroup();
    }, { follow });
    return true;
  }

  /** Puts older messages (oldest first) above the current ones without moving what the reader sees. */
  prepend(olderMessages) {
    const fresh = olderMessages.filter((message) => !this.#seen.has(message.seq) && !message.removed);
    if (fresh.length === 0) {
      return;
    }
    this.#scroll.prepend(() => {
      const fragment = document.createDocumentFragment();
      for (const message of fresh) {
        this.#seen.add(message.seq);
        fragment.append(this.createItem(message));
      }
      this.#list.prepend(fragment);
      this.#emptyNote?.remove();
      this.#regroup();
    });
  }

  /** Takes away a message a moderator removed. */
  remove(seq) {
    this.#seen.add(seq); // should it still arrive (a late reply to its own post), it stays away
    this.#list.querySelector(`:scope > li.message[data-seq="${seq}"]`)?.remove();
    this.#regroup();
  }

  /** A message's element from the template. User text only ever goes in as text (linkify builds DOM nodes). */
  createItem(message) {
    const item = this.#template.content.firstElementChild.cloneNode(true);
    if (message.seq !== undefined) {
      item.dataset.seq = String(message.seq);
    } else {
      delete item.dataset.seq;
    }
    item.querySelector('.message-author').textContent = message.author;
    item.querySelector('.message-admin').hidden = message.admin !== true;
    setLinkifiedText(item.querySelector('.message-text'), message.text);
    const time = item.querySelector('time');
    time.dateTime = message.sentAt;
    formatLocalTime(time);
    return item;
  }

  #messageItems() {
    return this.#list.querySelectorAll(':scope > li.message');
  }

  // Rebuilds the day separators and author groups from the messages' own timestamps, so that they come out the
  // same whichever way messages arrived (server history, live, or prepended by "load older"). Cheap at chat
  // sizes: one pass, no layout reads.
  #regroup() {
    for (const separator of this.#list.querySelectorAll(':scope > li.day-separator')) {
      separator.remove();
    }
    const now = new Date();
    let previous = null;
    for (const item of this.#messageItems()) {
      const date = new Date(item.querySelector('time').dateTime);
      const author = authorOf(item);
      const day = localDayKey(date);
      if (previous?.day !== day) {
        item.before(daySeparator(date, day, now));
      }
      const continued = previous !== null && previous.day === day && sameAuthor(previous.author, author)
        && date - previous.date >= 0 && date - previous.date <= GROUP_WINDOW_MS;
      item.classList.toggle('message-continued', continued);
      // Still read out by screen readers, which do not see the grouping.
      item.querySelector('.message-author').classList.toggle('visually-hidden', continued);
      previous = { day, author, date };
    }
  }
}

// Who wrote a message, as far as grouping goes: the name and the admin mark, so that a visitor who took an
// administrator's name never shows under the administrator's badge.
function authorOf(item) {
  return { name: item.querySelector('.message-author').textContent, admin: !item.querySelector('.message-admin').hidden };
}

function sameAuthor(a, b) {
  return a.name === b.name && a.admin === b.admin;
}

function daySeparator(date, day, now) {
  const separator = document.createElement('li');
  separator.className = 'day-separator';
  separator.dataset.day = day;
  const label = document.createElement('span');
  label.textContent = dayLabel(date, now);
  separator.append(label);
  return separator;
}
