// The room's EventSource. The browser reconnects by itself after network errors and sends Last-Event-ID, so
// nothing is lost. It gives up for good on a non-200 answer (a proxy's 502 during a deploy, say); then this
// module opens a new EventSource with ?after=<last seq shown>, backing off with jitter so that a restart does
// not bring every browser back in the same instant.
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

export class RoomStream {
  #url;
  #lastSeq;
  #handlers;
  #failures = 0;

  constructor({ url, lastSeq, onMessage, onStatus, onReset }) {
    this.#url = url;
    this.#lastSeq = lastSeq;
    this.#handlers = { onMessage, onStatus, onReset };
  }

  open() {
    const url = new URL(this.#url, location.href);
    url.searchParams.set('after', String(this.#lastSeq));
    const source = new EventSource(url);
    this.#handlers.onStatus('connecting');

    source.addEventListener('open', () => {
      this.#failures = 0;
      this.#handlers.onStatus('live');
    });
    source.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      if (message.seq <= this.#lastSeq) {
        return;
      }
      this.#lastSeq = message.seq;
      this.#handlers.onMessage(message);
    });
    source.addEventListener('reset', () => {
      source.close();
      this.#handlers.onReset();
    });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        this.#handlers.onStatus('offline');
        this.#reopenLater();
      } else {
        this.#handlers.onStatus(navigator.onLine ? 'reconnecting' : 'offline');
      }
    });
  }

  #reopenLater() {
    const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.#failures);
    this.#failures += 1;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    setTimeout(() => this.open(), delay);
  }
}
