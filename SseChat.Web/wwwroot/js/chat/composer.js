// The compose form, posted with fetch so the page never reloads. Sending empties the box at once (so what is typed
// next, on however slow a link, is never lost) and puts the message in the outbox under the list, greyed; the
// server's reply (or the stream, whichever comes first) puts the real one in the list. Messages go out one at a time
// in the order they were written, so the room stores them in that order. Each gets a clientMessageId that is kept
// until the server confirms it: resending after a timeout or an outage can then never store it twice.
import { DraftStore } from './drafts.js';
import { randomHexId } from './random-id.js';
import { describe, readProblem } from './problem.js';
import { isStaleTokenRefusal, refreshFormToken } from './form-token.js';
import { plural, text } from './ui-text.js';

// How long a post may take before it counts as failed (and can be retried with the same clientMessageId).
const SEND_TIMEOUT_MS = 10_000;
// The character counter appears once the text is this close to the limit.
const COUNTER_SHOWN_FROM_RATIO = 0.9;
// What Enter reports while an input method editor (Chinese, Japanese, ...) is composing, in older browsers.
const IME_KEY_CODE = 229;
// Where the browser cannot size a text box to its text (field-sizing, site.css), the script does it.
const SIZES_ITSELF = CSS.supports('field-sizing', 'content');

export class Composer {
  #form;
  #author;
  #text;
  #submit;
  #help;
  #keyboardHelp;
  #errorElement;
  #counter;
  #outbox;
  #drafts;
  #createItem;
  #onSent;
  #onOutboxChange;
  #tokenUrl;
  #maxLength;
  #touch;
  #composing = false;
  #waitingForName = false;
  // The messages not yet confirmed, in the order written: {text, author, clientMessageId, item, state, retryable}.
  // state is 'queued', 'sending' or 'failed'; retryable says a failure was the network's or the server's being away
  // (maybe stored, maybe not), as opposed to a refusal.
  #outgoing = [];
  #sending = null;

  /**
   * @param {HTMLFormElement} form
   * @param {{errorElement: HTMLElement, counter: HTMLElement, outbox: HTMLElement, help: HTMLElement, room: string,
   *          tokenUrl: string, createItem: (message: object) => HTMLElement, onSent: (message: object) => void,
   *          onOutboxChange: (count: number) => void}} options
   */
  constructor(form, { errorElement, counter, outbox, help, room, tokenUrl, createItem, onSent, onOutboxChange }) {
    this.#form = form;
    this.#author = form.elements.namedItem('author');
    this.#text = form.elements.namedItem('text');
    this.#submit = form.querySelector('[type="submit"]');
    this.#help = help;
    this.#keyboardHelp = help.textContent;
    this.#errorElement = errorElement;
    this.#counter = counter;
    this.#outbox = outbox;
    this.#drafts = new DraftStore(room);
    this.#tokenUrl = tokenUrl;
    this.#createItem = createItem;
    this.#onSent = onSent;
    this.#onOutboxChange = onOutboxChange;
    // Without script, maxlength keeps a paste within the limit. With it, a long paste is kept whole and the counter
    // says how much is too much, rather than the browser cutting it off without a word.
    this.#maxLength = this.#text.maxLength;
    this.#text.removeAttribute('maxlength');

    if (this.#text.value === '') {
      this.#text.value = this.#drafts.load();
    }
    this.#textChanged();

    // A finger as the main pointer means a touch keyboard, which has no Shift+Enter: there Enter breaks the line
    // and the Send button sends (as in the phone apps of Slack and WhatsApp). A laptop's touch screen is not its
    // main pointer, so its keyboard keeps Enter for sending.
    this.#touch = matchMedia('(pointer: coarse)');
    this.#keysChanged();
    this.#touch.addEventListener('change', () => this.#keysChanged());

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
    this.#text.addEventListener('input', () => {
      this.#text.setCustomValidity('');
      this.#drafts.save(this.#text.value);
      this.#textChanged();
    });
    this.#text.addEventListener('compositionstart', () => { this.#composing = true; });
    this.#text.addEventListener('compositionend', () => { this.#composing = false; });
    this.#text.addEventListener('keydown', (event) => {
      // Enter sends; Shift+Enter is a new line; Enter that confirms an IME composition does neither; on a touch
      // keyboard Enter is a new line.
      if (event.key !== 'Enter' || event.shiftKey || this.#touch.matches) {
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

  /** Sends what is in the text box: it leaves the box at once and waits its turn in the outbox. */
  send() {
    const draft = this.#text.value;
    // The browser's own "Please fill out this field" speaks the browser's language, which need not be the page's.
    this.#text.setCustomValidity(this.#problemWith(draft));
    if (!this.#form.reportValidity()) {
      // No name yet: the name editor opens (identity.js), and the message goes once a name is saved.
      this.#waitingForName = this.#text.validity.valid && !this.#author.validity.valid;
      return;
    }
    this.#waitingForName = false;
    this.#text.value = '';
    this.#drafts.clear();
    this.#textChanged();
    this.#showError(null);
    const outgoing = { text: draft, author: this.author, clientMessageId: randomHexId(), item: null, state: 'queued', retryable: false };
    outgoing.item = this.#pendingItem(outgoing);
    this.#outgoing.push(outgoing);
    this.#outbox.append(outgoing.item);
    outgoing.item.scrollIntoView({ block: 'nearest' });
    this.#outboxChanged();
    // Pressing Send is also a fine moment to try again what the network let down, and it must go first.
    this.#retry((other) => other.retryable);
  }

  /** A name was saved: the message that waited for it goes now, and the writer is back in the text box. */
  nameSaved() {
    this.#text.focus();
    if (this.#waitingForName) {
      this.#waitingForName = false;
      this.send();
    }
  }

  /**
   * The room's stream is live again, so the server is back: messages that failed because it (or the network) was
   * away are sent again by themselves, with the same clientMessageId. Refused ones are not.
   */
  retryFailed() {
    this.#retry((outgoing) => outgoing.retryable);
  }

  /**
   * A live message arrived. If it is surely the one being sent (same author and text), the greyed copy steps
   * aside so that it is never seen twice; the reply to the post then confirms it by seq.
   */
  noticeLive(message) {
    const sending = this.#sending;
    if (sending && message.author === sending.author && message.text === sending.text) {
      sending.item.hidden = true;
    }
  }

  #retry(which) {
    for (const outgoing of this.#outgoing) {
      if (outgoing.state === 'failed' && which(outgoing)) {
        outgoing.state = 'queued';
        this.#markPending(outgoing);
      }
    }
    this.#sendNext();
  }

  // One post at a time, the oldest queued first: the room gets them in the order they were written.
  async #sendNext() {
    if (this.#sending) {
      return;
    }
    const outgoing = this.#outgoing.find((candidate) => candidate.state === 'queued');
    if (!outgoing) {
      return;
    }
    this.#sending = outgoing;
    outgoing.state = 'sending';
    this.#form.setAttribute('aria-busy', 'true');
    try {
      await this.#post(outgoing);
    } finally {
      this.#sending = null;
      this.#form.setAttribute('aria-busy', 'false');
    }
    this.#sendNext();
  }

  async #post(outgoing) {
    let tokenRefreshed = false;
    for (;;) {
      const body = new URLSearchParams(new FormData(this.#form));
      body.set('author', outgoing.author);
      body.set('text', outgoing.text);
      body.set('clientMessageId', outgoing.clientMessageId);
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
          return;
        }
        const problem = await readProblem(response);
        if (response.status >= 500 || response.status === 408) {
          this.#failed(outgoing, describe(problem, response.status));
          return;
        }
        // The page's token was made for who its visitor was when it was rendered (signed in or out of the admin
        // area since, in another tab): one fresh token, one more try, the same clientMessageId.
        if (!tokenRefreshed && isStaleTokenRefusal(response.status, problem)) {
          tokenRefreshed = true;
          if (await refreshFormToken(this.#form, this.#tokenUrl)) {
            continue;
          }
        }
        this.#rejected(outgoing, response.status === 429 ? tooFast(response) : describe(problem, response.status));
        return;
      } catch {
        this.#failed(outgoing, abort.signal.aborted ? text('server.timedOut') : text('server.unreachable'));
        return;
      } finally {
        clearTimeout(timer);
      }
    }
  }

  #confirmed(outgoing, message) {
    this.#forget(outgoing);
    if (!this.#outgoing.some((other) => other.state === 'failed')) {
      this.#showError(null);
    }
    this.#onSent(message);
  }

  // The server said no (invalid, archived, too fast): nothing was stored. The text goes back to the box when that
  // is empty; otherwise it stays in the outbox, marked, so that nothing the writer typed is overwritten.
  #rejected(outgoing, problem) {
    if (this.#text.value.trim() === '') {
      this.#forget(outgoing);
      this.#text.value = outgoing.text;
      this.#drafts.save(outgoing.text);
      this.#textChanged();
      this.#text.focus();
    } else {
      this.#markFailed(outgoing, problem, false);
    }
    this.#showError(problem);
  }

  // Maybe stored, maybe not: it stays, marked failed, to be retried with the same clientMessageId. The messages
  // written after it wait behind it (marked the same), so that none overtakes it.
  #failed(outgoing, reason) {
    this.#markFailed(outgoing, reason, true);
    for (const waiting of this.#outgoing) {
      if (waiting.state === 'queued') {
        this.#markFailed(waiting, reason, true);
      }
    }
    this.#showError(text('composer.failed', { reason }));
  }

  #markFailed(outgoing, reason, retryable) {
    outgoing.state = 'failed';
    outgoing.retryable = retryable;
    const item = outgoing.item;
    item.hidden = false;
    item.classList.replace('message-pending', 'message-failed');
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.className = 'btn btn-sm btn-outline-danger py-0 message-retry';
    retry.textContent = text('composer.retry');
    retry.addEventListener('click', () => {
      if (this.#author.reportValidity()) {
        this.#retry((other) => other === outgoing || other.retryable);
      }
    });
    item.querySelector('.message-status').replaceChildren(text('composer.notSent', { reason }), ' ', retry);
  }

  #markPending(outgoing) {
    outgoing.item.classList.replace('message-failed', 'message-pending');
    outgoing.item.querySelector('.message-status').textContent = text('composer.sending');
  }

  #forget(outgoing) {
    outgoing.item.remove();
    this.#outgoing.splice(this.#outgoing.indexOf(outgoing), 1);
    this.#outboxChanged();
  }

  #outboxChanged() {
    this.#onOutboxChange(this.#outgoing.length);
  }

  #pendingItem(outgoing) {
    const item = this.#createItem({ author: outgoing.author, text: outgoing.text, sentAt: new Date().toISOString() });
    item.classList.add('message-pending');
    item.querySelector('.message-remove')?.remove();
    const status = document.createElement('div');
    status.className = 'message-status small';
    status.textContent = text('composer.sending');
    item.append(status);
    return item;
  }

  #problemWith(draft) {
    const length = draft.trim().length;
    if (length === 0) {
      return text('composer.textRequired');
    }
    return length > this.#maxLength ? text('composer.tooLong', { max: this.#maxLength }) : '';
  }

  // The counter, the Send button (off while the text is too long) and the box's height follow the text.
  #textChanged() {
    const length = this.#text.value.trim().length;
    const remaining = this.#maxLength - length;
    const shown = length >= Math.ceil(this.#maxLength * COUNTER_SHOWN_FROM_RATIO);
    this.#counter.hidden = !shown;
    this.#counter.textContent = !shown ? ''
      : remaining >= 0 ? plural('composer.charactersLeft', remaining) : plural('composer.charactersOver', -remaining);
    this.#counter.classList.toggle('text-danger-emphasis', shown && remaining <= 0);
    this.#submit.disabled = remaining < 0;
    if (!SIZES_ITSELF) {
      this.#text.style.height = 'auto';
      this.#text.style.height = `${this.#text.scrollHeight + this.#text.offsetHeight - this.#text.clientHeight}px`;
    }
  }

  #keysChanged() {
    const touch = this.#touch.matches;
    this.#text.enterKeyHint = touch ? 'enter' : 'send';
    this.#help.textContent = touch ? text('composer.helpTouch') : this.#keyboardHelp;
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
