// Tells a reader whose tab is in the background that the room moved on: a count in the tab's title,
// "(3) General · SseChat", cleared when they come back, and, if they opted in with the bell toggle, a browser
// notification per message. Permission is asked only when the toggle is clicked, never on page load. The caller
// passes only other people's messages.
import { readStored, writeStored } from './browser-storage.js';
import { text } from './ui-text.js';

const ENABLED_STORAGE_KEY = 'ssechat.notifications';
// Notification bodies are plain text, and long ones are cut.
const BODY_MAX_LENGTH = 200;

export class Notifier {
  #toggle;
  #roomName;
  #tag;
  #unseen = 0;
  #plainTitle = document.title;
  #shownTitle = document.title; // what this set last; anything else was set by someone else (a room rename)

  /**
   * @param {{toggle: HTMLButtonElement, roomName: () => string, room: string}} options
   */
  constructor({ toggle, roomName, room }) {
    this.#toggle = toggle;
    this.#roomName = roomName;
    this.#tag = `ssechat-${room}`;
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') {
        this.#setUnseen(0);
      }
    });
    if (!('Notification' in window)) {
      toggle.hidden = true;
      return;
    }
    toggle.hidden = false;
    this.#showToggle();
    toggle.addEventListener('click', () => this.#toggleNotifications());
  }

  /** Another person's message arrived live. */
  notify(message) {
    if (document.visibilityState !== 'hidden') {
      return;
    }
    this.#setUnseen(this.#unseen + 1);
    if (this.#enabled) {
      this.#show(message);
    }
  }

  #show(message) {
    const body = message.text.length > BODY_MAX_LENGTH ? `${message.text.slice(0, BODY_MAX_LENGTH)}…` : message.text;
    let notification;
    try {
      notification = new Notification(text('notifications.title', { author: message.author, room: this.#roomName() }), { body, tag: this.#tag });
    } catch {
      return; // Android's Chrome allows notifications only from a service worker: the title badge has to do
    }
    notification.addEventListener('click', () => {
      window.focus();
      notification.close();
    });
  }

  get #enabled() {
    return 'Notification' in window && Notification.permission === 'granted'
      && readStored(ENABLED_STORAGE_KEY) === 'on';
  }

  async #toggleNotifications() {
    if (this.#enabled) {
      writeStored(ENABLED_STORAGE_KEY, null);
    } else if ((await Notification.requestPermission()) === 'granted') {
      writeStored(ENABLED_STORAGE_KEY, 'on');
    }
    this.#showToggle();
  }

  #showToggle() {
    const enabled = this.#enabled;
    const blocked = Notification.permission === 'denied';
    this.#toggle.setAttribute('aria-pressed', String(enabled));
    this.#toggle.disabled = blocked;
    this.#toggle.title = blocked
      ? text('notifications.blocked')
      : enabled ? text('notifications.on') : text('notifications.off');
  }

  #setUnseen(count) {
    this.#unseen = count;
    if (document.title !== this.#shownTitle) {
      this.#plainTitle = document.title;
    }
    document.title = count > 0 ? text('title.unseen', { count, title: this.#plainTitle }) : this.#plainTitle;
    this.#shownTitle = document.title;
  }
}
