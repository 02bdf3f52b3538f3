// "Unread" without accounts: the room page records, in localStorage, the last seq this browser showed in each
// room while the tab was visible; the room list compares that with each room's latest seq and counts the messages
// after it with the JSON history endpoint. Rooms this browser never opened get no marker: it has not "looked"
// at them yet, so nothing there is news to it. The list counts again whenever its refresher sees a room move on.
import { readStored, writeStored } from './browser-storage.js';
import { formatNumber, plural, text } from './ui-text.js';

const SEEN_KEY_PREFIX = 'ssechat.seen.';
// Counts above this show as "99+"; one more than it is fetched to know.
const UNREAD_CAP = 99;

/** Records that this browser has shown the room up to seq (never moves backwards). */
export function markSeen(room, seq) {
  const seen = readSeen(room);
  if (seen === null || seq > seen) {
    writeStored(SEEN_KEY_PREFIX + room, String(seq)); // without storage, unread markers simply do not work
  }
}

/**
 * Calls back with the room's slug when another tab of this browser records it as seen (storage events fire in the
 * other tabs). A room page open in another tab writes on every message it shows, so only that room is named.
 */
export function onSeenElsewhere(callback) {
  addEventListener('storage', (event) => {
    if (event.key?.startsWith(SEEN_KEY_PREFIX) && event.newValue !== event.oldValue) {
      callback(event.key.slice(SEEN_KEY_PREFIX.length));
    }
  });
}

/**
 * Marks, in the room list, each room with events after what this browser saw there. Each room element carries
 * data-room (slug), data-last-seq and data-history-url, and holds a hidden .room-unread badge. The list gets
 * data-unread="shown" once every room is done. The list's data-history-max-page-size is the most the history
 * endpoint gives at once (Chat:HistoryMaxPageSize).
 */
export async function showUnread(list) {
  const fetched = fetchedFor(list);
  await Promise.all(Array.from(list.querySelectorAll('[data-room]'), (room) => showRoomUnread(room, fetched)));
  list.dataset.unread = 'shown';
}

/** Marks one room of the list again (by slug), as showUnread does for all. */
export async function showUnreadOf(list, slug) {
  const room = Array.from(list.querySelectorAll('[data-room]')).find((element) => element.dataset.room === slug);
  if (room) {
    await showRoomUnread(room, fetchedFor(list));
  }
}

function fetchedFor(list) {
  return Math.min(UNREAD_CAP + 1, Number(list.dataset.historyMaxPageSize));
}

/** fetched: how many of the latest messages to count in; more unread than fit in it show as "N+". */
async function showRoomUnread(element, fetched) {
  const seen = readSeen(element.dataset.room);
  const badge = element.querySelector('.room-unread');
  if (seen === null || Number(element.dataset.lastSeq) <= seen) {
    clearBadge(element, badge); // read meanwhile, in another tab (the list refreshes itself)
    return;
  }
  try {
    const url = new URL(element.dataset.historyUrl, location.href);
    url.searchParams.set('limit', String(fetched));
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!response.ok) {
      throw new Error(`History request failed with ${response.status}`);
    }
    const unread = (await response.json()).filter((message) => message.seq > seen).length;
    if (unread === 0) {
      clearBadge(element, badge); // only room changes or removals happened since
      return;
    }
    const atLeast = unread > UNREAD_CAP || unread === fetched;
    const count = atLeast ? text('unread.atLeast', { count: Math.min(UNREAD_CAP, fetched) }) : formatNumber(unread);
    setBadge(badge, count, plural('unread.words', atLeast ? UNREAD_CAP + 1 : unread));
  } catch {
    setBadge(badge, text('unread.unknownCount'), text('unread.unknownWords')); // something happened, but how much could not be counted
  }
  badge.hidden = false;
  element.classList.add('room-has-unread');
}

function clearBadge(element, badge) {
  badge.hidden = true;
  badge.replaceChildren();
  delete badge.dataset.count;
  element.classList.remove('room-has-unread');
}

// The count for the eye, and words for screen readers, which read the link's whole text ("3 unread messages").
function setBadge(badge, count, words) {
  const hiddenWords = document.createElement('span');
  hiddenWords.className = 'visually-hidden';
  hiddenWords.textContent = ` ${words}`;
  badge.replaceChildren(count, hiddenWords);
  badge.dataset.count = count;
}

function readSeen(room) {
  const value = readStored(SEEN_KEY_PREFIX + room);
  return value === null ? null : Number(value);
}
