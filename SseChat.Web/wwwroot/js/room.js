// Entry point of the room page: wires the server-rendered history to the live stream, the composer and
// "load older". Everything the scripts need comes from data attributes rendered by Views/Rooms/Show.cshtml.
import { MessageList } from './chat/message-list.js';
import { RoomStream } from './chat/room-stream.js';
import { RoomState } from './chat/room-state.js';
import { Composer } from './chat/composer.js';
import { HistoryLoader } from './chat/history-loader.js';
import { ConnectionStatus } from './chat/connection-status.js';
import { Moderation } from './chat/moderation.js';
import { ScrollManager } from './chat/scroll-manager.js';
import { Announcer } from './chat/announcer.js';
import { Notifier } from './chat/notifications.js';
import { markSeen } from './chat/unread.js';
import { formatLocalTimes } from './chat/local-time.js';
import { linkifyAll } from './chat/linkify.js';
import { Identity } from './chat/identity.js';
import { PresenceList } from './chat/presence.js';
import { TypingIndicator, TypingNotifier } from './chat/typing.js';
import { TabSharing } from './chat/tab-sharing.js';

const room = document.getElementById('room');
const slug = room.dataset.slug;
const form = document.getElementById('composer');
const errorElement = document.getElementById('composer-error');
const list = document.getElementById('messages');
formatLocalTimes(room);
linkifyAll(list);
const scroll = new ScrollManager({
  pane: document.getElementById('messages-pane'),
  newMessagesButton: document.getElementById('new-messages'),
});
const messages = new MessageList({
  list,
  template: document.getElementById('message-template'),
  emptyNote: document.getElementById('no-messages'),
  scroll,
  cap: Number(room.dataset.messageCap),
  onTrimmed: () => olderLoader.offerOlder(),
});
scroll.scrollToBottom();

// The last seq this page shows, recorded as seen (for the room list's unread markers) whenever the tab is visible.
let shownSeq = Number(room.dataset.lastSeq);
const recordSeen = () => {
  if (document.visibilityState === 'visible') {
    markSeen(slug, shownSeq);
  }
};
const shown = (seq) => {
  shownSeq = Math.max(shownSeq, seq);
  recordSeen();
};
recordSeen();
document.addEventListener('visibilitychange', recordSeen);

const state = new RoomState({
  name: document.getElementById('room-name'),
  topic: document.getElementById('room-topic'),
  archivedBanner: document.getElementById('room-archived'),
  goneBanner: document.getElementById('room-gone'),
  composerFields: document.getElementById('composer-fields'),
});
const status = new ConnectionStatus(document.getElementById('connection-status'));
const announcer = new Announcer(document.getElementById('announcer'));
const notifier = new Notifier({
  toggle: document.getElementById('notify-toggle'),
  roomName: () => document.getElementById('room-name').textContent,
  room: slug,
});

// "No messages yet" is not said while the page cannot know (its stream is away) or while its own message is on
// its way; the message list removes it for good once there is a message.
const noMessages = document.getElementById('no-messages');
let streamAway = false;
let outgoingCount = 0;
const updateNoMessages = () => {
  if (noMessages) {
    noMessages.hidden = streamAway || outgoingCount > 0;
  }
};

const composer = new Composer(form, {
  errorElement,
  counter: document.getElementById('composer-counter'),
  outbox: document.getElementById('outbox'),
  help: document.getElementById('composer-help'),
  room: slug,
  tokenUrl: room.dataset.tokenUrl,
  createItem: (message) => messages.createItem(message),
  onSent: (message) => {
    messages.add(message, { follow: true });
    shown(message.seq);
  },
  onOutboxChange: (count) => {
    outgoingCount = count;
    updateNoMessages();
  },
});

const presence = new PresenceList({
  disclosure: document.getElementById('presence'),
  list: document.getElementById('presence-list'),
  count: document.getElementById('presence-count'),
  more: document.getElementById('presence-more'),
});
const typing = new TypingIndicator(document.getElementById('typing'), () => identity.name);

// The tabs of this room share one stream: the leader's status is every tab's status. While it is away, who is
// online is unknown (the list is emptied; the next presence event fills it); once it is live again the server is
// back, and messages that failed meanwhile are sent again. Tabs showing different histories of the room (rendered
// before and after a restore, or before its slug was reused) share nothing: one's seqs are not the other's.
const sharing = new TabSharing({
  key: `${slug}.${room.dataset.historyVersion}`,
  onStatus: (state) => {
    status.show(state);
    streamAway = state === 'reconnecting' || state === 'offline';
    updateNoMessages();
    if (streamAway) {
      presence.clear();
    } else if (state === 'live') {
      composer.retryFailed();
    }
  },
});
const stream = new RoomStream({
  url: room.dataset.streamUrl,
  lastSeq: Number(room.dataset.lastSeq),
  visitor: () => (identity.name ? { name: identity.name, client: identity.clientId } : null),
  onMessage: (message) => {
    typing.clear(message.author);
    composer.noticeLive(message);
    if (messages.add(message) && message.author !== composer.author) {
      announcer.newMessageFrom(message.author);
      notifier.notify(message);
    }
    shown(message.seq);
  },
  onDelete: ({ seq, messageSeq }) => {
    messages.remove(messageSeq);
    shown(seq);
  },
  onRoomChange: (change) => {
    state.update(change);
    shown(change.seq);
  },
  onPresence: (online) => presence.show(online),
  onTyping: (notice) => typing.show(notice),
  onStatus: (state) => sharing.reportStatus(state),
  onReceived: (type, data) => sharing.relay(type, data),
  // The server's sequence no longer matches what this page shows (database reset or restored): start over.
  onReset: () => location.reload(),
  onGone: () => {
    state.showGone();
    status.show('offline');
  },
  isRoomGone: async () => {
    try {
      return (await fetch(room.dataset.historyUrl + '?limit=1', { headers: { Accept: 'application/json' } })).status === 404;
    } catch {
      return false; // unreachable is not gone
    }
  },
});

const identityRoot = document.getElementById('identity');
const identity = new Identity({
  authorField: form.elements.namedItem('author'),
  shown: document.getElementById('identity-shown'),
  nameElement: document.getElementById('identity-name'),
  form: document.getElementById('identity-form'),
  error: document.getElementById('identity-error'),
  changeButton: document.getElementById('identity-change'),
  // The stream says who is online under the name: only the tab holding it has to tell the server.
  onChange: () => {
    if (sharing.isLeader) {
      stream.reopen();
    }
  },
  onSaved: () => composer.nameSaved(),
});
identityRoot.hidden = false;
sharing.start(stream);

new TypingNotifier(form.elements.namedItem('text'), {
  url: room.dataset.typingUrl,
  form,
  author: () => identity.name,
  pingMs: Number(room.dataset.typingPingMs),
});

const olderLoader = new HistoryLoader(document.getElementById('load-older'), {
  url: room.dataset.historyUrl,
  pageSize: Number(room.dataset.historyPageSize),
  messages,
  scroll,
});

if (room.dataset.moderationUrl) {
  new Moderation({
    baseUrl: room.dataset.moderationUrl,
    list,
    form,
    messages,
    onError: (message) => {
      errorElement.textContent = message;
      errorElement.hidden = false;
    },
  });
}
