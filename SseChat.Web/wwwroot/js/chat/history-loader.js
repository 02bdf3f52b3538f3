// "Load older": fetches the page of messages before the oldest one shown from the JSON history endpoint, when the
// button is pressed or the reader scrolls up to it. One load at a time; the page size is the server's
// (Chat:HistoryPageSize), rendered into the page.
import { text } from './ui-text.js';

export class HistoryLoader {
  #button;
  #url;
  #pageSize;
  #messages;
  #scroll;
  #loading = false;
  #label;

  constructor(button, { url, pageSize, messages, scroll }) {
    this.#button = button;
    this.#url = url;
    this.#pageSize = pageSize;
    this.#messages = messages;
    this.#scroll = scroll;
    this.#label = button.textContent;
    button.addEventListener('click', () => this.loadOlder());
    scroll.watchTop(button, () => this.loadOlder());
  }

  /** There are older messages again (the list dropped some): the button and scrolling to the top fetch them. */
  offerOlder() {
    this.#button.hidden = false;
  }

  async loadOlder() {
    const before = this.#messages.oldestSeq;
    if (this.#loading || this.#button.hidden || before === null) {
      return;
    }
    this.#loading = true;
    this.#button.disabled = true;
    this.#button.setAttribute('aria-busy', 'true');
    let loaded = false;
    let overtaken = false;
    try {
      const url = new URL(this.#url, location.href);
      url.searchParams.set('before', String(before));
      url.searchParams.set('limit', String(this.#pageSize));
      const response = await fetch(url, { headers: { Accept: 'application/json' } });
      if (!response.ok) {
        throw new Error(`History request failed with ${response.status}`);
      }
      const older = await response.json();
      this.#button.textContent = this.#label;
      if (this.#messages.oldestSeq !== before) {
        // The list dropped its oldest messages (its cap) while this page was on its way: the page no longer
        // joins on to what is shown, so it is let go; the page before the new oldest comes when it is asked for.
        overtaken = true;
      } else {
        this.#messages.prepend(older);
        this.#button.hidden = older.length < this.#pageSize;
        loaded = true;
      }
    } catch {
      // Offline, or the server is restarting: the button stays, saying so, for another try.
      this.#button.textContent = text('history.loadFailed');
    } finally {
      this.#loading = false;
      this.#button.disabled = false;
      this.#button.removeAttribute('aria-busy');
    }
    // A short page (or one let go) may leave the button in view, where the observer will not fire again: keep going.
    if ((loaded || overtaken) && !this.#button.hidden && this.#scroll.isVisible(this.#button)) {
      await this.loadOlder();
    }
  }
}
