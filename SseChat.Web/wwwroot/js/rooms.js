// Entry point of the room list (/): unread markers for rooms that moved on since this browser last looked.
import { showUnread } from './chat/unread.js';

const list = document.getElementById('rooms');
if (list) {
  showUnread(list);
}
