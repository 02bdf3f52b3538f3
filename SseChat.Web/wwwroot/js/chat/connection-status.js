// The badge in the room header that says whether live messages are arriving.
const STATES = {
  connecting: { label: 'Connecting…', className: 'text-bg-secondary' },
  live: { label: 'Live', className: 'text-bg-success' },
  reconnecting: { label: 'Reconnecting…', className: 'text-bg-warning' },
  offline: { label: 'Offline', className: 'text-bg-danger' },
};

export class ConnectionStatus {
  #element;

  constructor(element) {
    this.#element = element;
  }

  show(state) {
    const { label, className } = STATES[state];
    this.#element.textContent = label;
    this.#element.dataset.state = state;
    this.#element.className = `badge ${className}`;
  }
}
