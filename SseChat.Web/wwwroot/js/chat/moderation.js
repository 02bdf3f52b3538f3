// For a signed-in administrator: the remove button on each message. The server answers 204 and every open page,
// this one included, then gets the `delete` event; the message is taken away here at once all the same.
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
    if (!confirm('Remove this message for everyone?')) {
      return;
    }
    button.disabled = true;
    const body = new URLSearchParams();
    body.set('__RequestVerificationToken', this.#form.elements.namedItem('__RequestVerificationToken').value);
    try {
      const response = await fetch(`${this.#baseUrl}/${seq}/remove`, {
        method: 'POST',
        body,
        headers: { Accept: 'application/json' },
        redirect: 'manual',
      });
      // Only 204 means removed: a redirect (say, to the sign-in page) followed by fetch ends in a 200 page.
      if (response.status !== 204) {
        throw new Error(`The server answered ${response.status}.`);
      }
      this.#messages.remove(seq);
    } catch (error) {
      button.disabled = false;
      this.#onError(`The message was not removed: ${error.message}`);
    }
  }
}
