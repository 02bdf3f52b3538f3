// "Load older": fetches the page of messages before the oldest one shown from the JSON history endpoint.
// The page size is the server's (Chat:HistoryPageSize), rendered into the page.
export class HistoryLoader {
  #button;
  #url;
  #pageSize;
  #messages;
  #loading = false;

  constructor(button, { url, pageSize, messages }) {
    this.#button = button;
    this.#url = url;
    this.#pageSize = pageSize;
    this.#messages = messages;
    button.addEventListener('click', () => this.loadOlder());
  }

  async loadOlder() {
    const before = this.#messages.oldestSeq;
    if (this.#loading || before === null) {
      return;
    }
    this.#loading = true;
    this.#button.disabled = true;
    try {
      const url = new URL(this.#url, location.href);
      url.searchParams.set('before', String(before));
      url.searchParams.set('limit', String(this.#pageSize));
      const response = await fetch(url, { headers: { Accept: 'application/json' } });
      if (!response.ok) {
        throw new Error(`History request failed with ${response.status}`);
      }
      const older = await response.json();
      this.#messages.prepend(older);
      this.#button.hidden = older.length < this.#pageSize;
    } finally {
      this.#loading = false;
      this.#button.disabled = false;
    }
  }
}
