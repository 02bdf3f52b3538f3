// The room's events, in seq order and each once, whether they come from this tab's own EventSource or are relayed
// by the tab that holds the room's stream (tab-sharing.js).
//
// The browser reconnects by itself after network errors and sends Last-Event-ID, so nothing is lost. It gives up
// for good on a non-200 answer (a proxy's 502 during a deploy, say); then this module opens a new EventSource with
// ?after=<last seq seen>, backing off with jitter so that a restart does not bring every browser back in the same
// instant. Unknown event types are ignored, as the protocol asks.
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

// Persisted events, each with the room seq as its id, and the handler each one goes to.
const PERSISTED_EVENTS = {
  message: 'onMessage',
  delete: 'onDelete',
  room: 'onRoomChange',
};

// Id-less events that describe the room right now; they are never replayed.
const EPHEMERAL_EVENTS = {
  presence: 'onPresence',
  typing: 'onTyping',
};

/** Whether events of this type belong to the room's persisted sequence (they carry a seq). */
export function isPersisted(type) {
  return type in PERSISTED_EVENTS;
}

export class RoomStream {
  #url;
  #lastSeq;
  #handlers;
  #visitor;
  #source = null;
  #failures = 0;
  #ended = false;

  /**
   * @param {{url: string, lastSeq: number, visitor: () => ({name: string, client: string} | null),
   *          onMessage: Function, onDelete: Function, onRoomChange: Function, onPresence: Function,
   *          onTyping: Function, onStatus: Function, onReset: Function, onGone: Function,
   *          isRoomGone: () => Promise<boolean>, onReceived?: (type: string, data: object) => void}} options
   * onReceived sees every event this tab's own EventSource delivers, so that it can be relayed to other tabs.
   */
  constructor({ url, lastSeq, visitor, ...handlers }) {
    this.#url = url;
    this.#lastSeq = lastSeq;
    this.#visitor = visitor;
    this.#handlers = handlers;
  }

  /** The seq of the last persisted event this page shows. */
  get lastSeq() {
    return this.#lastSeq;
  }

  open() {
    const url = new URL(this.#url, location.href);
    url.searchParams.set('after', String(this.#lastSeq));
    const visitor = this.#visitor();
    if (visitor) {
      url.searchParams.set('name', visitor.name);
      url.searchParams.set('client', visitor.client);
    }
    const source = new EventSource(url);
    this.#source = source;
    this.#handlers.onStatus('connecting');

    source.addEventListener('open', () => {
      this.#failures = 0;
      this.#handlers.onStatus('live');
    });
    for (const type of [...Object.keys(PERSISTED_EVENTS), ...Object.keys(EPHEMERAL_EVENTS), 'reset', 'gone']) {
      source.addEventListener(type, (event) => {
        this.#received(type, JSON.parse(event.data));
      });
    }
    source.addEventListener('error', async () => {
      if (this.#ended || source !== this.#source) {
        return;
      }
      if (source.readyState !== EventSource.CLOSED) {
        this.#handlers.onStatus(navigator.onLine ? 'reconnecting' : 'offline');
        return;
      }
      // Refused for good: a deleted room answers 404, anything else is worth another try later.
      if (await this.#handlers.isRoomGone()) {
        this.#received('gone', { deleted: true });
        return;
      }
      this.#handlers.onStatus('offline');
      this.#reopenLater(source);
    });
  }

  /** Opens the stream anew from the last seq shown, e.g. to be listed online under a new name. */
  reopen() {
    if (this.#source && !this.#ended) {
      this.#source.close();
      this.open();
    }
  }

  /**
   * Handles one event, from this tab's stream or relayed from another tab. A persisted event at or below the
   * last seq shown is a repeat and is dropped.
   */
  accept(type, data) {
    if (this.#ended) {
      return;
    }
    if (type in PERSISTED_EVENTS) {
      if (data.seq <= this.#lastSeq) {
        return;
      }
      this.#lastSeq = data.seq;
      this.#handlers[PERSISTED_EVENTS[type]](data);
    } else if (type in EPHEMERAL_EVENTS) {
      this.#handlers[EPHEMERAL_EVENTS[type]](data);
    } else if (type === 'reset') {
      this.#ended = true;
      this.#source?.close();
      this.#handlers.onReset();
    } else if (type === 'gone') {
      this.#ended = true;
      this.#source?.close();
      this.#handlers.onGone();
    }
  }

  #received(type, data) {
    this.#handlers.onReceived?.(type, data);
    this.accept(type, data);
  }

  #reopenLater(source) {
    const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.#failures);
    this.#failures += 1;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    setTimeout(() => {
      if (source === this.#source && !this.#ended) {
        this.open();
      }
    }, delay);
  }
}
