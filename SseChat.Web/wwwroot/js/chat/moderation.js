// For a signed-in administrator: the remove button on each message. The server answers 204 and every open page,
// this one included, then gets the `delete` event; the message is taken away here at once all the same.
import { describeProblem } from './problem.js';
import { text } from './ui-text.js';

export class Moderation {
  #baseUrl;
  #form;
  #messages;
  #onError;

  constructor({ baseUrl, list, form, messages, onError }) {
    this.#baseUrl = baseUrl;
    this.#form = form;
    this.#messages = messages;
    this.#onError = onError;
    list.addEventListener('click', (event) => {
      const button = event.target.closest('.message-remove');
      if (button) {
        this.remove(Number(button.closest('[data-seq]').dataset.seq), button);
      }
    });
  }

  async remove(seq, button) {
    if (!confirm(text('moderation.confirmRemove'))) {
      return;
    }
    button.disabled = true;
    const body = new URLSearchParams();
    body.set('__RequestVerificationToken', this.#form.elements.namedItem('__RequestVerificationToken').value);
    let reason;
    try {
      const response = await fetch(`${this.#baseUrl}/${seq}/remove`, {
        method: 'POST',
        body,
        headers: { Accept: 'application/json' },
        redirect: 'manual',
      });
      if (response.status === 204) {
        this.#messages.remove(seq);
        return;
      }
      // Only 204 means removed. A redirect (to the sign-in page), which fetch would follow to a 200 page, means
      // the administrator's sign-in is gone.
      reason = response.type === 'opaqueredirect' ? text('moderation.signedOut') : await describeProblem(response);
    } catch {
      reason = text('server.unreachable');
    }
    button.disabled = false;
    this.#onError(text('moderation.notRemoved', { reason }));
  }
}
