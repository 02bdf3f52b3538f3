// Admin pages: local times, and a slug that follows the room name until someone edits it by hand.
// Mirrors SlugGenerator.FromName on the server, which has the last word when the field is left empty.
import { formatLocalTimes } from './chat/local-time.js';

const SLUG_MAX_LENGTH = 40;

formatLocalTimes(document.body);

const name = document.querySelector('[data-room-name]');
const slug = document.querySelector('[data-room-slug]');
if (name && slug) {
  let followsName = slug.value === '';
  slug.addEventListener('input', () => {
    followsName = slug.value === '';
  });
  const follow = () => {
    if (followsName) {
      slug.value = slugFromName(name.value);
    }
  };
  name.addEventListener('input', follow);
  follow(); // a name typed (or restored by the browser) before this module ran
}

function slugFromName(value) {
  return value
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/-+$/, '');
}
