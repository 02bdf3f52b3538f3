// The room's header and composer, kept in step with `room` events (renamed, new topic, archived) and told when
// the room is deleted.
import { text } from './ui-text.js';

export class RoomState {
  #name;
  #topic;
  #archivedBanner;
  #goneBanner;
  #composerFields;

  constructor({ name, topic, archivedBanner, goneBanner, composerFields }) {
    this.#name = name;
    this.#topic = topic;
    this.#archivedBanner = archivedBanner;
    this.#goneBanner = goneBanner;
    this.#composerFields = composerFields;
  }

  /** Applies a `room` event: {seq, name, topic, archived}. */
  update({ name, topic, archived }) {
    this.#name.textContent = name;
    this.#topic.textContent = topic;
    document.title = text('page.title', { title: name });
    this.#archivedBanner.hidden = !archived;
    this.#composerFields.disabled = archived;
  }

  showGone() {
    this.#goneBanner.hidden = false;
    this.#archivedBanner.hidden = true;
    this.#composerFields.disabled = true;
  }
}
