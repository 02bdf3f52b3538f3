// Entry point of the room list (/): unread markers for rooms that moved on since this browser last looked, kept
// fresh with the online figures by polling GET /rooms every Chat:RoomListRefreshInterval while the tab is visible,
// and cleared as soon as another tab of this browser reads the room.
import { onSeenElsewhere, showUnread, showUnreadOf } from './chat/unread.js';
import { RoomListRefresher } from './chat/room-list-refresher.js';

const list = document.getElementById('rooms');
if (list) {
  showUnread(list);
  onSeenElsewhere((slug) => showUnreadOf(list, slug));
  new RoomListRefresher(list, {
    url: list.dataset.refreshUrl,
    intervalMs: Number(list.dataset.refreshMs),
    onChanged: () => showUnread(list),
  }).start();
}
