// Entry point of the room page: wires the server-rendered history to the live stream, the composer and
// "load older". Everything the scripts need comes from data attributes rendered by Views/Rooms/Show.cshtml.
import { MessageList } from './chat/message-list.js';
import { RoomStream } from './chat/room-stream.js';
import { RoomState } from './chat/room-state.js';
import { Composer } from './chat/composer.js';
import { HistoryLoader } from './chat/history-loader.js';
import { ConnectionStatus } from './chat/connection-status.js';
import { Moderation } from './chat/moderation.js';
import { formatLocalTimes } from './chat/local-time.js';
import { Identity } from './chat/identity.js';
import { PresenceList } from './chat/presence.js';
import { TypingIndicator, TypingNotifier } from './chat/typing.js';
import { TabSharing } from './chat/tab-sharing.js';

const room = document.getElementById('room');
const form = document.getElementById('composer');
const errorElement = document.getElementById('composer-error');
const messages = new MessageList({
  list: document.getElementById('messages'),
  template: document.getElementById('message-template'),
  pane: document.getElementById('messages-pane'),
  emptyNote: document.getElementById('no-messages'),
});
formatLocalTimes(room);
messages.scrollToBottom();

const state = new RoomState({
  name: document.getElementById('room-name'),
  topic: document.getElementById('room-topic'),
  archivedBanner: document.getElementById('room-archived'),
  goneBanner: document.getElementById('room-gone'),
  composerFields: document.getElementById('composer-fields'),
});
const status = new ConnectionStatus(document.getElementById('connection-status'));

const presence = new PresenceList({
  list: document.getElementById('presence-list'),
  count: document.getElementById('presence-count'),
  more: document.getElementById('presence-more'),
});
const typing = new TypingIndicator(document.getElementById('typing'), () => identity.name);

// The tabs of this room share one stream: the leader's status is every tab's status.
const sharing = new TabSharing({ key: room.dataset.slug, onStatus: (state) => status.show(state) });
const stream = new RoomStream({
  url: room.dataset.streamUrl,
  lastSeq: Number(room.dataset.lastSeq),
  visitor: () => (identity.name ? { name: identity.name, client: identity.clientId } : null),
  onMessage: (message) => {
    typing.clear(message.author);
    messages.add(message);
  },
  onDelete: ({ messageSeq }) => messages.remove(messageSeq),
  onRoomChange: (change) => state.update(change),
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
});
identityRoot.hidden = false;
sharing.start(stream);

new TypingNotifier(form.elements.namedItem('text'), {
  url: room.dataset.typingUrl,
  form,
  author: () => identity.name,
  pingMs: Number(room.dataset.typingPingMs),
});

new Composer(form, { errorElement, onSent: (message) => messages.add(message) });

new HistoryLoader(document.getElementById('load-older'), {
  url: room.dataset.historyUrl,
  pageSize: Number(room.dataset.historyPageSize),
  messages,
});

if (room.dataset.moderationUrl) {
  new Moderation({
    baseUrl: room.dataset.moderationUrl,
    list: document.getElementById('messages'),
    form,
    messages,
    onError: (message) => {
      errorElement.textContent = message;
      errorElement.hidden = false;
    },
  });
}
