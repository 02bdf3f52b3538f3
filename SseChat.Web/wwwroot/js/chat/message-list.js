// The message list: renders messages from the server's <template>, keeps them in seq order and shows each seq
// once, whichever way it arrived (history, stream, or the reply to the page's own post). It groups them the way
// chat readers expect: a separator before each local day, and consecutive messages by one author within a few
// minutes under a single author line. Scrolling is the ScrollManager's business.
//
// A page left open all day must not slow down: the list keeps at most `cap` messages while the reader is at the
// bottom, dropping the oldest (the history loader fetches them again when the reader scrolls up to them), and every
// change regroups only the messages next to it, so an append costs the same at the 10th message as at the 5,000th.
import { formatLocalTime, localDayKey, dayLabel } from './local-time.js';
import { setLinkifiedText } from './linkify.js';

// Messages by the same author closer together than this share one author line.
const GROUP_WINDOW_MS = 5 * 60 * 1000;

export class MessageList {
  #list;
  #template;
  #emptyNote;
  #scroll;
  #cap;
  #onTrimmed;
  // Kept rather than counted: counting the list's items on every append is itself the O(n) this file avoids.
  #count = 0;
  // Seqs shown, or removed by a moderator (which must stay away): a seq arriving again is ignored.
  #seen = new Set();
  // The reader's day when the day separators were labelled: "Today" becomes "Yesterday" at midnight.
  #labelledDay = localDayKey(new Date());

  /**
   * cap: the most messages kept while the reader is at the bottom (Chat:RoomPageMessageCap); onTrimmed: called when
   * older messages were dropped, so that "load older" offers them again.
   */
  constructor({ list, template, emptyNote, scroll, cap = Infinity, onTrimmed = () => {} }) {
    this.#list = list;
    this.#template = template;
    this.#emptyNote = emptyNote;
    this.#scroll = scroll;
    this.#cap = cap;
    this.#onTrimmed = onTrimmed;
    const items = this.#list.querySelectorAll(':scope > li.message');
    for (const item of items) {
      this.#seen.add(Number(item.dataset.seq));
    }
    this.#count = items.length;
    this.#regroupItems(items);
  }

  /** The oldest seq shown, or null when the list is empty. */
  get oldestSeq() {
    const first = this.#firstMessage();
    return first ? Number(first.dataset.seq) : null;
  }

  /** The newest seq shown, or null when the list is empty. */
  get newestSeq() {
    const last = this.#lastMessage();
    return last ? Number(last.dataset.seq) : null;
  }

  /** How many messages are shown. */
  get size() {
    return this.#count;
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
    this.#scroll.append((pinned) => {
      this.#relabelDaysAfterMidnight();
      const item = this.createItem(message);
      // Live messages come in order, so this walk stops at once; only a late reply to the page's own post steps back.
      let next = null;
      for (let node = this.#list.lastElementChild; node; node = node.previousElementSibling) {
        if (node.classList.contains('message') && Number(node.dataset.seq) < message.seq) {
          break;
        }
        next = node;
      }
      this.#list.insertBefore(item, next);
      this.#count++;
      this.#emptyNote?.remove();
      this.#regroupAround(item);
      if (pinned) {
        this.#trimOldest();
      }
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
      const oldFirst = this.#firstMessage();
      const fragment = document.createDocumentFragment();
      const items = fresh.map((message) => {
        this.#seen.add(message.seq);
        return fragment.appendChild(this.createItem(message));
      });
      this.#list.prepend(fragment);
      this.#count += items.length;
      this.#emptyNote?.remove();
      this.#regroupItems(oldFirst ? [...items, oldFirst] : items);
    });
  }

  /** Takes away a message a moderator removed. */
  remove(seq) {
    this.#seen.add(seq); // should it still arrive (a late reply to its own post), it stays away
    const item = this.#list.querySelector(`:scope > li.message[data-seq="${seq}"]`);
    if (!item) {
      return;
    }
    const next = nextMessage(item);
    removeWithSeparator(item);
    this.#count--;
    if (next) {
      this.#regroupAround(next);
    }
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

  // Drops the oldest messages beyond the cap. Only called with the reader at the bottom, far from them; they are
  // forgotten as seen, so that "load older" shows them again.
  #trimOldest() {
    if (this.#count <= this.#cap) {
      return;
    }
    while (this.#count > this.#cap) {
      const first = this.#firstMessage();
      this.#seen.delete(Number(first.dataset.seq));
      removeWithSeparator(first);
      this.#count--;
    }
    this.#regroupAround(this.#firstMessage());
    this.#onTrimmed();
  }

  #firstMessage() {
    return this.#list.querySelector(':scope > li.message');
  }

  #lastMessage() {
    for (let node = this.#list.lastElementChild; node; node = node.previousElementSibling) {
      if (node.classList.contains('message')) {
        return node;
      }
    }
    return null;
  }

  // A change at one place can only alter the grouping of the message there and of the one after it.
  #regroupAround(item) {
    const next = nextMessage(item);
    this.#regroupItems(next ? [item, next] : [item]);
  }

  // Sets the day separator and the continued mark of each item (in list order) from its own timestamp and the
  // message before it, so that they come out the same whichever way messages arrived.
  #regroupItems(items) {
    const now = new Date();
    for (const item of items) {
      const current = groupKey(item);
      const previousItem = previousMessage(item);
      const previous = previousItem ? groupKey(previousItem) : null;
      const separator = item.previousElementSibling?.classList.contains('day-separator') ? item.previousElementSibling : null;
      if (previous?.day === current.day) {
        separator?.remove();
      } else if (separator?.dataset.day !== current.day) {
        separator?.remove();
        item.before(daySeparator(current.date, current.day, now));
      }
      const continued = continuesGroup(previous, current);
      item.classList.toggle('message-continued', continued);
      // Still read out by screen readers, which do not see the grouping.
      item.querySelector('.message-author').classList.toggle('visually-hidden', continued);
    }
  }

  // Day separators are few (one a day), so relabelling them all at midnight is cheap.
  #relabelDaysAfterMidnight() {
    const now = new Date();
    const today = localDayKey(now);
    if (today === this.#labelledDay) {
      return;
    }
    this.#labelledDay = today;
    for (const separator of this.#list.querySelectorAll(':scope > li.day-separator')) {
      const date = new Date(separator.nextElementSibling.querySelector('time').dateTime);
      separator.firstElementChild.textContent = dayLabel(date, now);
    }
  }
}

// What grouping compares of a message. The author is the name and the admin mark, so that a visitor who took an
// administrator's name never shows under the administrator's badge.
function groupKey(item) {
  const date = new Date(item.querySelector('time').dateTime);
  const author = item.querySelector('.message-author').textContent;
  const admin = !item.querySelector('.message-admin').hidden;
  return { day: localDayKey(date), author, admin, date };
}

// Whether a message goes under the author line of the one before it: same day, same author (admin mark included),
// within the window.
function continuesGroup(previous, current) {
  return previous !== null && previous.day === current.day
    && previous.author === current.author && previous.admin === current.admin
    && current.date - previous.date >= 0 && current.date - previous.date <= GROUP_WINDOW_MS;
}

function previousMessage(item) {
  let node = item.previousElementSibling;
  while (node && !node.classList.contains('message')) {
    node = node.previousElementSibling;
  }
  return node;
}

function nextMessage(item) {
  let node = item.nextElementSibling;
  while (node && !node.classList.contains('message')) {
    node = node.nextElementSibling;
  }
  return node;
}

// Removes a message and the day separator above it when that separator would head no message any more.
function removeWithSeparator(item) {
  const separator = item.previousElementSibling;
  if (separator?.classList.contains('day-separator')
    && !item.nextElementSibling?.classList.contains('message')) {
    separator.remove();
  }
  item.remove();
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
