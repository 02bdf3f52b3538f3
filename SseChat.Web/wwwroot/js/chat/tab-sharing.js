// One stream per room per browser, however many tabs show the room. Browsers allow six HTTP/1.1 connections per
// origin across all tabs, so a seventh tab holding its own EventSource would hang. The tabs of a room elect a
// leader with a Web Lock held for the tab's life; the leader opens the room's EventSource and relays every event
// over a BroadcastChannel. When it closes, the lock passes to another tab, which resumes the stream from the last
// seq it showed: the server replays whatever came since, so nothing is lost, and the seq check drops repeats.
// Where Web Locks are missing (a page served over plain HTTP from a host other than localhost is not a secure
// context), every tab simply keeps its own stream.
import { isPersisted } from './room-stream.js';
import { randomHexId } from './random-id.js';

const LOCK_PREFIX = 'ssechat.stream.';
const CHANNEL_PREFIX = 'ssechat.room.';
// Persisted events remembered to fill in a tab that opened (or fell behind) while the leader was relaying.
const RECENT_EVENTS_KEPT = 500;

export class TabSharing {
  #key;
  #onStatus;
  #stream = null;
  #channel = null;
  #leader = false;
  #tabId = randomHexId(8);
  #status = 'connecting';
  #presence = null;
  #recent = [];
  #pending = new Map(); // relayed persisted events that arrived ahead of a gap, by seq

  /** @param {{key: string, onStatus: (state: string) => void}} options key names the room. */
  constructor({ key, onStatus }) {
    this.#key = key;
    this.#onStatus = onStatus;
  }

  get isLeader() {
    return this.#leader;
  }

  /** Starts following the leader, and becomes it when the lock comes free. */
  start(stream) {
    this.#stream = stream;
    if (!navigator.locks || typeof BroadcastChannel !== 'function') {
      this.#lead();
      return;
    }
    this.#channel = new BroadcastChannel(CHANNEL_PREFIX + this.#key);
    this.#channel.addEventListener('message', (event) => this.#receive(event.data));
    this.#askToCatchUp();
    // The callback's promise never settles: the lock is held until the tab goes away.
    navigator.locks.request(LOCK_PREFIX + this.#key, () => {
      this.#lead();
      return new Promise(() => {});
    });
  }

  /** The leader's stream changed state: shown here and in every other tab of the room. */
  reportStatus(state) {
    this.#status = state;
    this.#onStatus(state);
    this.#post({ kind: 'status', state });
  }

  /** An event from the leader's own stream, before it is shown here: remembered and passed on. */
  relay(type, data) {
    this.#remember(type, data);
    this.#post({ kind: 'event', type, data });
  }

  #lead() {
    this.#leader = true;
    this.#pending.clear();
    this.#stream.open();
    this.#post({ kind: 'leader' });
  }

  #receive(message) {
    if (message.kind === 'hello') {
      if (this.#leader) {
        this.#post({
          kind: 'catch-up',
          for: message.tabId,
          events: this.#recent.filter(({ data }) => data.seq > message.lastSeq),
          status: this.#status,
          presence: this.#presence,
        });
      }
      return;
    }
    if (this.#leader) {
      return; // only a leader's messages matter, and this tab is it
    }
    switch (message.kind) {
      case 'leader':
        this.#askToCatchUp(); // the new leader knows nothing of this tab yet
        break;
      case 'status':
        this.#status = message.state;
        this.#onStatus(message.state);
        break;
      case 'event':
        this.#follow(message.type, message.data);
        break;
      case 'catch-up':
        this.#catchUp(message);
        break;
    }
  }

  #catchUp({ for: tabId, events, status, presence }) {
    for (const { type, data } of events) {
      this.#follow(type, data);
    }
    if (tabId !== this.#tabId) {
      return;
    }
    this.#status = status;
    this.#onStatus(status);
    if (presence) {
      this.#apply('presence', presence);
    }
    if (this.#pending.size > 0) {
      // The leader no longer remembers what this tab missed: the server does, so start over from it.
      location.reload();
    }
  }

  // Applies relayed events in seq order: one that arrives ahead of a gap waits until the gap is filled.
  #follow(type, data) {
    if (!isPersisted(type)) {
      this.#apply(type, data);
      return;
    }
    const expected = this.#stream.lastSeq + 1;
    if (data.seq < expected) {
      return;
    }
    if (data.seq > expected) {
      this.#pending.set(data.seq, { type, data });
      if (this.#pending.size === 1) {
        this.#askToCatchUp();
      }
      return;
    }
    this.#apply(type, data);
    for (let next = this.#pending.get(this.#stream.lastSeq + 1); next; next = this.#pending.get(this.#stream.lastSeq + 1)) {
      this.#pending.delete(next.data.seq);
      this.#apply(next.type, next.data);
    }
  }

  #apply(type, data) {
    this.#remember(type, data);
    this.#stream.accept(type, data);
  }

  #remember(type, data) {
    if (type === 'presence') {
      this.#presence = data;
    } else if (isPersisted(type) && data.seq > (this.#recent.at(-1)?.data.seq ?? 0)) {
      this.#recent.push({ type, data });
      if (this.#recent.length > RECENT_EVENTS_KEPT) {
        this.#recent.shift();
      }
    }
  }

  #askToCatchUp() {
    this.#post({ kind: 'hello', tabId: this.#tabId, lastSeq: this.#stream.lastSeq });
  }

  #post(message) {
    this.#channel?.postMessage(message);
  }
}
