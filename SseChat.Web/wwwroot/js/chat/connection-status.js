// The badge in the room header that says whether live messages are arriving.
import { text } from './ui-text.js';

const STATES = {
  connecting: { label: () => text('connection.connecting'), className: 'text-bg-secondary' },
  live: { label: () => text('connection.live'), className: 'text-bg-success' },
  reconnecting: { label: () => text('connection.reconnecting'), className: 'text-bg-warning' },
  offline: { label: () => text('connection.offline'), className: 'text-bg-danger' },
};

export class ConnectionStatus {
  #element;

  constructor(element) {
    this.#element = element;
  }

  show(state) {
    const { label, className } = STATES[state];
    this.#element.textContent = label();
    this.#element.dataset.state = state;
    this.#element.className = `badge ${className}`;
  }
}
