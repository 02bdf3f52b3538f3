// Keeps an open room list current without a reload: asks GET /rooms for every room's latest seq and online count
// every interval while the tab is visible (and at once when it becomes visible again), and writes them into the
// list, whose unread markers are then counted afresh. Polling rather than a stream: the list needs a few numbers
// now and then, not every message of every room, and a poll costs the server one small query per open list.
import { text } from './ui-text.js';

export class RoomListRefresher {
  #list;
  #url;
  #intervalMs;
  #onChanged;
  #timer = null;
  #busy = false;

  constructor(list, { url, intervalMs, onChanged }) {
    this.#list = list;
    this.#url = url;
    this.#intervalMs = intervalMs;
    this.#onChanged = onChanged;
  }

  start() {
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') {
        this.refresh();
      } else {
        this.#stop();
      }
    });
    if (document.visibilityState === 'visible') {
      this.#schedule();
    }
  }

  /** Fetches the rooms' figures now and shows them. A failed poll changes nothing; the next one tries again. */
  async refresh() {
    if (this.#busy) {
      return;
    }
    this.#busy = true;
    this.#stop();
    try {
      const response = await fetch(this.#url, { headers: { Accept: 'application/json' } });
      if (response.ok) {
        this.#apply(await response.json());
      }
    } catch {
      // offline, or the server restarting: the figures stay as they were until the next poll
    } finally {
      this.#busy = false;
      if (document.visibilityState === 'visible') {
        this.#schedule();
      }
    }
  }

  #apply(rooms) {
    let changed = false;
    const bySlug = new Map(rooms.map((room) => [room.slug, room]));
    for (const element of this.#list.querySelectorAll('[data-room]')) {
      const room = bySlug.get(element.dataset.room);
      if (!room) {
        element.remove(); // deleted since the list was loaded
        continue;
      }
      const online = element.querySelector('.room-online');
      if (online.dataset.online !== String(room.online)) {
        online.dataset.online = String(room.online);
        online.textContent = text('rooms.online', { count: room.online });
      }
      if (element.dataset.lastSeq !== String(room.lastSeq)) {
        element.dataset.lastSeq = String(room.lastSeq);
        changed = true;
      }
    }
    this.#list.dataset.refreshed = String(Number(this.#list.dataset.refreshed ?? 0) + 1);
    if (changed) {
      this.#onChanged();
    }
  }

  #schedule() {
    this.#stop();
    this.#timer = setTimeout(() => this.refresh(), this.#intervalMs);
  }

  #stop() {
    clearTimeout(this.#timer);
    this.#timer = null;
  }
}
