// Who this browser is in the chat: a display name picked once and kept in localStorage (shared by every tab and
// room), and a random id that tells the server which streams come from the same browser. The compose form's
// author field stays in the page for visitors without script; with script it is filled from here and hidden.
import { readStored, writeStored } from './browser-storage.js';
import { randomHexId } from './random-id.js';
import { text } from './ui-text.js';

const NAME_KEY = 'ssechat.author';
const CLIENT_KEY = 'ssechat.client';
const NAME_MAX_LENGTH = 32; // MessageLimits.AuthorMaxLength on the server
// Control and invisible format characters (zero-width, bidi controls) are refused by the server
// (NoControlCharacters, NoFormatCharacters); saying so here saves a round trip.
const CONTROL_CHARACTER = /\p{Cc}/u;
// Draws nothing: format characters, the other default-ignorable ones (variation selectors, Hangul fillers), the
// braille blank.
const FORMAT_CHARACTER = /[\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/u;

export function validateName(value) {
  const name = value.trim();
  if (name.length === 0) {
    return { error: text('identity.nameRequired') };
  }
  if (name.length > NAME_MAX_LENGTH) {
    return { error: text('identity.nameTooLong', { max: NAME_MAX_LENGTH }) };
  }
  if (CONTROL_CHARACTER.test(name)) {
    return { error: text('identity.nameControlCharacters') };
  }
  if (FORMAT_CHARACTER.test(name)) {
    return { error: text('identity.nameFormatCharacters') };
  }
  return { name };
}

export class Identity {
  #name;
  #clientId;
  #authorField;
  #shown;
  #nameElement;
  #form;
  #input;
  #error;
  #onChange;
  #onSaved;

  /**
   * @param {{authorField: HTMLInputElement, shown: HTMLElement, nameElement: HTMLElement, form: HTMLFormElement,
   *          error: HTMLElement, changeButton: HTMLButtonElement, onChange: (name: string) => void,
   *          onSaved: () => void}} elements
   * onChange hears of every new name (this tab's or another's); onSaved of every name saved here, new or not.
   */
  constructor({ authorField, shown, nameElement, form, error, changeButton, onChange, onSaved }) {
    this.#authorField = authorField;
    this.#shown = shown;
    this.#nameElement = nameElement;
    this.#form = form;
    this.#input = form.elements.namedItem('displayName');
    this.#error = error;
    this.#onChange = onChange;
    this.#onSaved = onSaved;
    this.#clientId = readStored(CLIENT_KEY) ?? this.#newClientId();
    this.#name = validateName(readStored(NAME_KEY) ?? '').name ?? '';

    authorField.hidden = true;
    authorField.addEventListener('invalid', () => this.edit(text('identity.pickNameFirst')));
    changeButton.addEventListener('click', () => this.edit());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#save();
    });
    this.#input.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.#name) {
        this.#render(false);
      }
    });
    // Another tab picked a new name: every tab of this browser goes by it.
    window.addEventListener('storage', (event) => {
      if (event.key === NAME_KEY) {
        const { name } = validateName(event.newValue ?? '');
        if (name && name !== this.#name) {
          this.#name = name;
          this.#render(false);
          this.#onChange(name);
        }
      }
    });
    this.#render(!this.#name);
  }

  /** The display name, or '' before one is picked. */
  get name() {
    return this.#name;
  }

  get clientId() {
    return this.#clientId;
  }

  /** Opens the name editor, optionally saying why. */
  edit(reason = '') {
    this.#render(true);
    this.#showError(reason);
    this.#input.focus();
  }

  #save() {
    const { name, error } = validateName(this.#input.value);
    if (error) {
      this.#showError(error);
      return;
    }
    const changed = name !== this.#name;
    this.#name = name;
    writeStored(NAME_KEY, name); // where storage is blocked the name lasts as long as the page
    this.#render(false);
    if (changed) {
      this.#onChange(name);
    }
    this.#onSaved();
  }

  #render(editing) {
    this.#authorField.value = this.#name;
    this.#nameElement.textContent = this.#name;
    this.#shown.hidden = editing || !this.#name;
    this.#form.hidden = !(editing || !this.#name);
    this.#input.value = this.#name;
    this.#showError('');
  }

  #showError(message) {
    this.#error.textContent = message;
    this.#error.hidden = message === '';
  }

  #newClientId() {
    const id = randomHexId();
    writeStored(CLIENT_KEY, id);
    return id;
  }
}
