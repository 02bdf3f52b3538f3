// "X is typing…": shown for expiresInMs after each `typing` event, and taken away at once when X's message arrives.
// The typist's own page sends a notice at most every pingMs while they type, never for their own name's display.
import { text, textNodes } from './ui-text.js';

const MAX_NAMES_SHOWN = 3;

export class TypingIndicator {
  #element;
  #ownName;
  #typists = new Map(); // author -> timer that forgets them

  /** @param {HTMLElement} element @param {() => string} ownName whose notices this page does not show */
  constructor(element, ownName) {
    this.#element = element;
    this.#ownName = ownName;
  }

  /** Applies a `typing` event: {author, expiresInMs}. */
  show({ author, expiresInMs }) {
    if (author === this.#ownName()) {
      return;
    }
    clearTimeout(this.#typists.get(author));
    this.#typists.set(author, setTimeout(() => this.clear(author), expiresInMs));
    this.#render();
  }

  /** Their message arrived, so they are no longer typing it. */
  clear(author) {
    if (this.#typists.has(author)) {
      clearTimeout(this.#typists.get(author));
      this.#typists.delete(author);
      this.#render();
    }
  }

  #render() {
    const names = [...this.#typists.keys()];
    this.#element.replaceChildren(...describe(names));
    this.#element.hidden = names.length === 0;
  }
}

// As nodes, each name in a <bdi> of its own: a name with right-to-left text (or one sent before names refused
// bidi controls) cannot turn the rest of the line around.
function describe(names) {
  if (names.length === 0) {
    return [];
  }
  if (names.length === 1) {
    return textNodes('typing.single', { name: isolated([names[0]]) });
  }
  if (names.length <= MAX_NAMES_SHOWN) {
    return textNodes('typing.several', { names: isolated(names.slice(0, -1)), last: isolated([names.at(-1)]) });
  }
  return textNodes('typing.more', { names: isolated(names.slice(0, MAX_NAMES_SHOWN)), count: names.length - MAX_NAMES_SHOWN });
}

function isolated(names) {
  const fragment = document.createDocumentFragment();
  names.forEach((name, index) => {
    if (index > 0) {
      fragment.append(text('list.separator'));
    }
    const element = document.createElement('bdi');
    element.textContent = name;
    fragment.append(element);
  });
  return fragment;
}

export class TypingNotifier {
  #url;
  #form;
  #author;
  #pingMs;
  #lastSent = -Infinity;

  /**
   * @param {HTMLTextAreaElement} textArea the message box whose input counts as typing
   * @param {{url: string, form: HTMLFormElement, author: () => string, pingMs: number}} options form supplies
   *   the antiforgery token
   */
  constructor(textArea, { url, form, author, pingMs }) {
    this.#url = url;
    this.#form = form;
    this.#author = author;
    this.#pingMs = pingMs;
    textArea.addEventListener('input', () => {
      if (textArea.value.trim() !== '') {
        this.#notify();
      }
    });
  }

  #notify() {
    const author = this.#author();
    const now = performance.now();
    if (!author || now - this.#lastSent < this.#pingMs) {
      return;
    }
    this.#lastSent = now;
    const body = new URLSearchParams({
      author,
      __RequestVerificationToken: this.#form.elements.namedItem('__RequestVerificationToken').value,
    });
    // Best effort: a lost notice only means one "is typing…" fewer.
    fetch(this.#url, { method: 'POST', body, headers: { Accept: 'application/json' } }).catch(() => {});
  }
}
