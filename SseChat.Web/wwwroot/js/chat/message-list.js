// The message list: renders messages from the server's <template>, keeps them in seq order and shows each seq
// once, whichever way it arrived (history, stream, or the reply to the page's own post).
import { formatLocalTime } from './local-time.js';

// How close to the bottom (px) still counts as "reading the newest messages".
const PINNED_THRESHOLD_PX = 48;

export class MessageList {
  #list;
  #template;
  #pane;
  #emptyNote;
  #seen = new Set();

  constructor({ list, template, pane, emptyNote }) {
    this.#list = list;
    this.#template = template;
    this.#pane = pane;
    this.#emptyNote = emptyNote;
    for (const item of list.children) {
      this.#seen.add(Number(item.dataset.seq));
    }
  }

  /** The oldest seq shown, or null when the list is empty. */
  get oldestSeq() {
    const first = this.#list.firstElementChild;
    return first ? Number(first.dataset.seq) : null;
  }

  /** Adds a live message in seq order, following it down if the reader was at the bottom. */
  add(message) {
    if (this.#seen.has(message.seq)) {
      return;
    }
    if (message.removed) {
      this.#seen.add(message.seq); // replayed after a moderator removed it: there is nothing to show
      return;
    }
    const pinned = this.#isPinned();
    const item = this.#render(message);
    let next = null;
    for (let node = this.#list.lastElementChild; node; node = node.previousElementSibling) {
      if (Number(node.dataset.seq) < message.seq) {
        break;
      }
      next = node;
    }
    this.#list.insertBefore(item, next);
    if (pinned) {
      this.scrollToBottom();
    }
  }

  /** Puts older messages (oldest first) above the current ones without moving what the reader sees. */
  prepend(olderMessages) {
    const distanceFromBottom = this.#pane.scrollHeight - this.#pane.scrollTop;
    const fragment = document.createDocumentFragment();
    for (const message of olderMessages) {
      if (!this.#seen.has(message.seq) && !message.removed) {
        fragment.append(this.#render(message));
      }
    }
    this.#list.prepend(fragment);
    this.#pane.scrollTop = this.#pane.scrollHeight - distanceFromBottom;
  }

  /** Takes away a message a moderator removed. */
  remove(seq) {
    this.#seen.add(seq); // should it still arrive (a late reply to its own post), it stays away
    this.#list.querySelector(`[data-seq="${seq}"]`)?.remove();
  }

  scrollToBottom() {
    this.#pane.scrollTop = this.#pane.scrollHeight;
  }

  #isPinned() {
    const { scrollHeight, scrollTop, clientHeight } = this.#pane;
    return scrollHeight - scrollTop - clientHeight <= PINNED_THRESHOLD_PX;
  }

  // User text only ever goes in through textContent: it is never parsed as HTML.
  #render(message) {
    this.#seen.add(message.seq);
    this.#emptyNote?.remove();
    const item = this.#template.content.firstElementChild.cloneNode(true);
    item.dataset.seq = String(message.seq);
    item.querySelector('.message-author').textContent = message.author;
    item.querySelector('.message-admin').hidden = message.admin !== true;
    item.querySelector('.message-text').textContent = message.text;
    const time = item.querySelector('time');
    time.dateTime = message.sentAt;
    formatLocalTime(time);
    return item;
  }
}
