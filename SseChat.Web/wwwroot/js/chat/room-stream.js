// The room's EventSource. The browser reconnects by itself after network errors and sends Last-Event-ID, so
// nothing is lost. It gives up for good on a non-200 answer (a proxy's 502 during a deploy, say); then this
// module opens a new EventSource with ?after=<last seq seen>, backing off with jitter so that a restart does
// not bring every browser back in the same instant. Unknown event types are ignored, as the protocol asks.
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

// Persisted events, each with the room seq as its id, and the handler each one goes to.
const PERSISTED_EVENTS = {
  message: 'onMessage',
  delete: 'onDelete',
  room: 'onRoomChange',
};

export class RoomStream {
  #url;
  #lastSeq;
  #handlers;
  #failures = 0;
  #ended = false;

  /**
   * @param {{url: string, lastSeq: number, onMessage: Function, onDelete: Function, onRoomChange: Function,
   *          onStatus: Function, onReset: Function, onGone: Function, isRoomGone: () => Promise<boolean>}} options
   */
  constructor({ url, lastSeq, ...handlers }) {
    this.#url = url;
    this.#lastSeq = lastSeq;
    this.#handlers = handlers;
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
    for (const [type, handler] of Object.entries(PERSISTED_EVENTS)) {
      source.addEventListener(type, (event) => {
        const data = JSON.parse(event.data);
        if (data.seq <= this.#lastSeq) {
          return;
        }
        this.#lastSeq = data.seq;
        this.#handlers[handler](data);
      });
    }
    source.addEventListener('reset', () => {
      source.close();
      this.#handlers.onReset();
    });
    source.addEventListener('gone', () => this.#end(source));
    source.addEventListener('error', async () => {
      if (this.#ended) {
        return;
      }
      if (source.readyState !== EventSource.CLOSED) {
        this.#handlers.onStatus(navigator.onLine ? 'reconnecting' : 'offline');
        return;
      }
      // Refused for good: a deleted room answers 404, anything else is worth another try later.
      if (await this.#handlers.isRoomGone()) {
        this.#end(source);
        return;
      }
      this.#handlers.onStatus('offline');
      this.#reopenLater();
    });
  }

  #end(source) {
    this.#ended = true;
    source.close();
    this.#handlers.onGone();
  }

  #reopenLater() {
    const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.#failures);
    this.#failures += 1;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    setTimeout(() => this.open(), delay);
  }
}
