// Entry point of the room page: wires the server-rendered history to the live stream, the composer and
// "load older". Everything the scripts need comes from data attributes rendered by Views/Rooms/Show.cshtml.
import { MessageList } from './chat/message-list.js';
import { RoomStream } from './chat/room-stream.js';
import { Composer } from './chat/composer.js';
import { HistoryLoader } from './chat/history-loader.js';
import { ConnectionStatus } from './chat/connection-status.js';
import { formatLocalTimes } from './chat/local-time.js';

const room = document.getElementById('room');
const messages = new MessageList({
  list: document.getElementById('messages'),
  template: document.getElementById('message-template'),
  pane: document.getElementById('messages-pane'),
  emptyNote: document.getElementById('no-messages'),
});
formatLocalTimes(room);
messages.scrollToBottom();

const status = new ConnectionStatus(document.getElementById('connection-status'));
new RoomStream({
  url: room.dataset.streamUrl,
  lastSeq: Number(room.dataset.lastSeq),
  onMessage: (message) => messages.add(message),
  onStatus: (state) => status.show(state),
  // The server's sequence no longer matches what this page shows (database reset or restored): start over.
  onReset: () => location.reload(),
}).open();

new Composer(document.getElementById('composer'), {
  errorElement: document.getElementById('composer-error'),
  onSent: (message) => messages.add(message),
});

new HistoryLoader(document.getElementById('load-older'), {
  url: room.dataset.historyUrl,
  pageSize: Number(room.dataset.historyPageSize),
  messages,
});
