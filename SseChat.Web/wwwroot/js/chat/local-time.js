// The server renders UTC timestamps in <time datetime="…Z">; readers see them in their own time zone and
// locale, with the full timestamp on hover.
const shortFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });

export function formatLocalTime(element) {
  const date = new Date(element.dateTime);
  if (Number.isNaN(date.getTime())) {
    return;
  }
  element.textContent = shortFormat.format(date);
  element.title = fullFormat.format(date);
}

export function formatLocalTimes(root) {
  for (const element of root.querySelectorAll('time[datetime]')) {
    formatLocalTime(element);
  }
}
