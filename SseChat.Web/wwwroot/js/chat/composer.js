// The compose form, posted with fetch so the page never reloads. The message being sent shows at once, greyed,
// in the outbox under the list; the server's reply (or the stream, whichever comes first) puts the real one in
// the list. Each message gets a clientMessageId that is kept until the server confirms it: resending after a
// timeout can then never store it twice. One message is on its way at a time, so nothing is submitted twice.
import { DraftStore } from './drafts.js';
import { randomHexId } from './random-id.js';
import { describeProblem } from './problem.js';
import { plural, text } from './ui-text.js';

// How long a post may take before it counts as failed (and can be retried with the same clientMessageId).
const SEND_TIMEOUT_MS = 10_000;
// The character counter appears once the text is this close to the limit.
const COUNTER_SHOWN_FROM_RATIO = 0.9;
// What Enter reports while an input method editor (Chinese, Japanese, ...) is composing, in older browsers.
const IME_KEY_CODE = 229;

export class Composer {
  #form;
  #author;
  #text;
  #submit;
  #errorElement;
  #counter;
  #outbox;
  #drafts;
  #createItem;
  #onSent;
  #maxLength;
  #composing = false;
  #sending = false;
  #outgoing = null; // { text, clientMessageId, item } of the message not yet confirmed

  /**
   * @param {HTMLFormElement} form
   * @param {{errorElement: HTMLElement, counter: HTMLElement, outbox: HTMLElement, room: string,
   *          createItem: (message: object) => HTMLElement, onSent: (message: object) => void}} options
   */
  constructor(form, { errorElement, counter, outbox, room, createItem, onSent }) {
    this.#form = form;
    this.#author = form.elements.namedItem('author');
    this.#text = form.elements.namedItem('text');
    this.#submit = form.querySelector('[type="submit"]');
    this.#errorElement = errorElement;
    this.#counter = counter;
    this.#outbox = outbox;
    this.#drafts = new DraftStore(room);
    this.#createItem = createItem;
    this.#onSent = onSent;
    this.#maxLength = this.#text.maxLength;

    if (this.#text.value === '') {
      this.#text.value = this.#drafts.load();
    }
    this.#updateCounter();

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
    this.#text.addEventListener('input', () => {
      this.#text.setCustomValidity('');
      this.#drafts.save(this.#text.value);
      this.#updateCounter();
    });
    this.#text.addEventListener('compositionstart', () => { this.#composing = true; });
    this.#text.addEventListener('compositionend', () => { this.#composing = false; });
    this.#text.addEventListener('keydown', (event) => {
      // Enter sends; Shift+Enter is a new line; Enter that confirms an IME composition does neither.
      if (event.key !== 'Enter' || event.shiftKey) {
        return;
      }
      if (event.isComposing || event.keyCode === IME_KEY_CODE || this.#composing) {
        return;
      }
      event.preventDefault();
      this.send();
    });
  }

  /** The name this page posts under (for telling the reader's own messages from others'). */
  get author() {
    return this.#author.value.trim();
  }

  /** Sends what is in the text box. */
  async send() {
    // The browser's own "Please fill out this field" speaks the browser's language, which need not be the page's.
    this.#text.setCustomValidity(this.#text.value.trim() === '' ? text('composer.textRequired') : '');
    if (this.#sending || !this.#form.reportValidity()) {
      return;
    }
    await this.#post(this.#text.value);
  }

  /**
   * A live message arrived. If it is surely the one being sent (same author and text), the greyed copy steps
   * aside so that it is never seen twice; the reply to the post then confirms it by seq.
   */
  noticeLive(message) {
    const outgoing = this.#outgoing;
    if (this.#sending && outgoing && message.author === this.author && message.text === outgoing.text) {
      outgoing.item.hidden = true;
    }
  }

  async #post(draft) {
    if (this.#outgoing?.text !== draft) {
      this.#outgoing?.item.remove();
      this.#outgoing = { text: draft, clientMessageId: randomHexId(), item: null };
    }
    const outgoing = this.#outgoing;
    outgoing.item?.remove();
    outgoing.item = this.#pendingItem(draft);
    this.#outbox.append(outgoing.item);
    outgoing.item.scrollIntoView({ block: 'nearest' });

    const body = new URLSearchParams(new FormData(this.#form));
    body.set('text', draft);
    body.set('clientMessageId', outgoing.clientMessageId);
    this.#setSending(true);
    this.#showError(null);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), SEND_TIMEOUT_MS);
    try {
      const response = await fetch(this.#form.action, {
        method: 'POST',
        body,
        headers: { Accept: 'application/json' },
        signal: abort.signal,
      });
      if (response.ok) {
        this.#confirmed(outgoing, await response.json());
      } else if (response.status >= 500 || response.status === 408) {
        this.#failed(outgoing, await describeProblem(response));
      } else {
        this.#rejected(outgoing, response.status === 429 ? tooFast(response) : await describeProblem(response));
      }
    } catch {
      this.#failed(outgoing, abort.signal.aborted ? text('server.timedOut') : text('server.unreachable'));
    } finally {
      clearTimeout(timer);
      this.#setSending(false);
    }
  }

  #confirmed(outgoing, message) {
    outgoing.item.remove();
    this.#outgoing = null;
    if (this.#text.value === outgoing.text) {
      this.#text.value = '';
      this.#drafts.clear();
      this.#updateCounter();
    }
    this.#onSent(message);
    this.#text.focus();
  }

  // The server said no (invalid, archived, too fast): nothing was stored, and the text goes back to the box.
  #rejected(outgoing, problem) {
    outgoing.item.remove();
    this.#outgoing = null;
    if (this.#text.value === '') {
      this.#text.value = outgoing.text;
      this.#drafts.save(outgoing.text);
      this.#updateCounter();
    }
    this.#showError(problem);
    this.#text.focus();
  }

  // Maybe stored, maybe not: it stays, marked failed, to be retried with the same clientMessageId.
  #failed(outgoing, reason) {
    const item = outgoing.item;
    item.hidden = false;
    item.classList.replace('message-pending', 'message-failed');
    const status = item.querySelector('.message-status');
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.className = 'btn btn-sm btn-outline-danger py-0 message-retry';
    retry.textContent = text('composer.retry');
    retry.addEventListener('click', () => {
      if (!this.#sending && this.#author.reportValidity()) {
        this.#post(outgoing.text);
      }
    });
    status.replaceChildren(text('composer.notSent', { reason }), ' ', retry);
    this.#showError(text('composer.failed', { reason }));
    retry.focus();
  }

  #pendingItem(draft) {
    const item = this.#createItem({ author: this.author, text: draft, sentAt: new Date().toISOString() });
    item.classList.add('message-pending');
    item.querySelector('.message-remove')?.remove();
    const status = document.createElement('div');
    status.className = 'message-status small';
    status.textContent = text('composer.sending');
    item.append(status);
    return item;
  }

  #setSending(sending) {
    this.#sending = sending;
    this.#submit.disabled = sending;
    this.#text.readOnly = sending;
    this.#form.setAttribute('aria-busy', String(sending));
  }

  #updateCounter() {
    const length = this.#text.value.trim().length;
    const remaining = this.#maxLength - length;
    const shown = length >= Math.ceil(this.#maxLength * COUNTER_SHOWN_FROM_RATIO);
    this.#counter.hidden = !shown;
    this.#counter.textContent = shown ? plural('composer.charactersLeft', remaining) : '';
    this.#counter.classList.toggle('text-danger-emphasis', shown && remaining <= 0);
  }

  #showError(message) {
    this.#errorElement.textContent = message ?? '';
    this.#errorElement.hidden = message === null;
  }
}

// The rate limiter's answer, in words that count down from its Retry-After rather than its ProblemDetails'.
function tooFast(response) {
  const seconds = retryAfterSeconds(response.headers.get('Retry-After'));
  return seconds === null ? text('composer.tooFast') : text('composer.tooFastSeconds', { seconds });
}

// Retry-After is either a number of seconds or an HTTP date.
function retryAfterSeconds(header) {
  if (header === null) {
    return null;
  }
  const seconds = /^\d+$/.test(header.trim()) ? Number(header) : (Date.parse(header) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds)) : null;
}
