// The compose form, posted with fetch so the page never reloads. Each draft gets a clientMessageId that is kept
// until the server confirms it: resending after a timeout can then never store the message twice.
const AUTHOR_STORAGE_KEY = 'ssechat.author';

export class Composer {
  #form;
  #author;
  #text;
  #submit;
  #errorElement;
  #onSent;
  #pending = null; // { text, clientMessageId } of a draft not yet confirmed

  constructor(form, { errorElement, onSent }) {
    this.#form = form;
    this.#author = form.elements.namedItem('author');
    this.#text = form.elements.namedItem('text');
    this.#submit = form.querySelector('[type="submit"]');
    this.#errorElement = errorElement;
    this.#onSent = onSent;

    this.#author.value = localStorage.getItem(AUTHOR_STORAGE_KEY) ?? '';
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
    this.#text.addEventListener('keydown', (event) => {
      // Enter sends; Shift+Enter is a new line; Enter that confirms an IME composition does neither.
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
  }

  async send() {
    if (this.#submit.disabled || !this.#form.reportValidity()) {
      return;
    }
    const text = this.#text.value;
    if (this.#pending?.text !== text) {
      this.#pending = { text, clientMessageId: newClientMessageId() };
    }
    const body = new URLSearchParams(new FormData(this.#form));
    body.set('clientMessageId', this.#pending.clientMessageId);

    this.#submit.disabled = true;
    this.#showError(null);
    try {
      const response = await fetch(this.#form.action, {
        method: 'POST',
        body,
        headers: { Accept: 'application/json' },
      });
      if (!response.ok) {
        this.#showError(await describeProblem(response));
        return;
      }
      const message = await response.json();
      localStorage.setItem(AUTHOR_STORAGE_KEY, this.#author.value.trim());
      this.#pending = null;
      if (this.#text.value === text) {
        this.#text.value = '';
      }
      this.#onSent(message);
    } catch {
      this.#showError('Could not reach the server. Your message was kept; press Send to try again.');
    } finally {
      this.#submit.disabled = false;
      this.#text.focus();
    }
  }

  #showError(message) {
    this.#errorElement.textContent = message ?? '';
    this.#errorElement.hidden = message === null;
  }
}

// crypto.randomUUID exists only in secure contexts; getRandomValues works on plain http too.
function newClientMessageId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function describeProblem(response) {
  try {
    const problem = await response.json();
    const fieldErrors = Object.values(problem.errors ?? {}).flat();
    return fieldErrors.length > 0 ? fieldErrors.join(' ') : (problem.detail ?? problem.title);
  } catch {
    return `The server answered ${response.status}.`;
  }
}
