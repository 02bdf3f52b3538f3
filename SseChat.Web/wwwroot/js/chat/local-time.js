// The server renders UTC timestamps in <time datetime="…Z">; readers see them in their own time zone and
// locale: the time of day next to the message (the day is in the day separator above it), and the full
// timestamp on hover. The words and the formats follow the page's language (ui-text.js), not only the browser's.
import { formattingLocale, text } from './ui-text.js';

const timeFormat = new Intl.DateTimeFormat(formattingLocale, { timeStyle: 'short' });
const dateTimeFormat = new Intl.DateTimeFormat(formattingLocale, { dateStyle: 'medium', timeStyle: 'short' });
const fullFormat = new Intl.DateTimeFormat(formattingLocale, { dateStyle: 'full', timeStyle: 'long' });
const dayFormat = new Intl.DateTimeFormat(formattingLocale, { dateStyle: 'full' });

export function formatLocalTime(element) {
  const date = new Date(element.dateTime);
  if (Number.isNaN(date.getTime())) {
    return;
  }
  // A message's time sits under its day separator; a time standing alone (data-with-date: the admin's "last
  // activity") needs its date as well.
  element.textContent = ('withDate' in element.dataset ? dateTimeFormat : timeFormat).format(date);
  element.title = fullFormat.format(date);
}

export function formatLocalTimes(root) {
  for (const element of root.querySelectorAll('time[datetime]')) {
    formatLocalTime(element);
  }
}

/** The local calendar day of a date as YYYY-MM-DD: equal keys mean the same day for this reader. */
export function localDayKey(date) {
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');
  return `${date.getFullYear()}-${month}-${day}`;
}

/** "Today", "Yesterday" (in the page's language) or the full local date, for a day separator. */
export function dayLabel(date, now = new Date()) {
  const key = localDayKey(date);
  if (key === localDayKey(now)) {
    return text('day.today');
  }
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  return key === localDayKey(yesterday) ? text('day.yesterday') : dayFormat.format(date);
}
