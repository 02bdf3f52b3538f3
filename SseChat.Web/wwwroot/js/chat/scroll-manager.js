// Keeps the message pane where the reader wants it. At the bottom, new messages scroll into view; scrolled up to
// read, nothing moves under them and a "N new messages" button offers the way down instead. Older messages put
// above keep what the reader sees in place. The browser's own scroll anchoring is off for the pane (site.css):
// this does the anchoring itself, at the bottom, which is what a chat needs.
import { plural } from './ui-text.js';

// How close to the bottom (px) still counts as "reading the newest messages".
const PINNED_THRESHOLD_PX = 48;

export class ScrollManager {
  #pane;
  #newMessagesButton;
  #unseen = 0;
  // Whether the reader was at the bottom as of the last scroll: a pane that shrinks (a bar above it appears, a phone
  // keyboard opens) moves no scroll position, so without this a reader at the bottom would slide off it.
  #pinned = true;

  constructor({ pane, newMessagesButton }) {
    this.#pane = pane;
    this.#newMessagesButton = newMessagesButton;
    pane.addEventListener('scroll', () => {
      this.#pinned = this.isPinned;
      if (this.#pinned) {
        this.#setUnseen(0);
      }
    }, { passive: true });
    new ResizeObserver(() => {
      if (this.#pinned) {
        pane.scrollTop = pane.scrollHeight;
      }
    }).observe(pane);
    newMessagesButton.addEventListener('click', () => {
      this.scrollToBottom();
      // The button disappears under the keyboard user's focus: hand focus to what they came for.
      pane.focus({ preventScroll: true });
    });
  }

  get isPinned() {
    const { scrollHeight, scrollTop, clientHeight } = this.#pane;
    return scrollHeight - scrollTop - clientHeight <= PINNED_THRESHOLD_PX;
  }

  scrollToBottom() {
    this.#pane.scrollTop = this.#pane.scrollHeight;
    this.#setUnseen(0);
  }

  /**
   * Runs a change that adds one message at the end, then follows it down or counts it as unseen. The change is told
   * whether the reader will be at the bottom afterwards (and so sees nothing of what is far above).
   */
  append(change, { follow = false } = {}) {
    const pinned = this.isPinned;
    change(pinned || follow);
    if (pinned || follow) {
      this.scrollToBottom();
    } else {
      this.#setUnseen(this.#unseen + 1);
    }
  }

  /** Runs a change that adds content above, keeping the reader's view where it was. */
  prepend(change) {
    const fromBottom = this.#pane.scrollHeight - this.#pane.scrollTop;
    change();
    this.#pane.scrollTop = this.#pane.scrollHeight - fromBottom;
  }

  /** Calls onReached whenever the element (at the top of the pane) scrolls into view. */
  watchTop(element, onReached) {
    new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        onReached();
      }
    }, { root: this.#pane }).observe(element);
  }

  /** Whether the element is at least partly visible in the pane now. */
  isVisible(element) {
    const pane = this.#pane.getBoundingClientRect();
    const box = element.getBoundingClientRect();
    return box.bottom > pane.top && box.top < pane.bottom && box.height > 0;
  }

  #setUnseen(count) {
    this.#unseen = count;
    this.#newMessagesButton.hidden = count === 0;
    this.#newMessagesButton.textContent = count === 0 ? '' : plural('newMessages', count);
  }
}
