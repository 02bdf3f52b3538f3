// Makes web addresses in message text clickable without ever parsing user text as HTML: the text is split into
// text nodes and <a> elements built with DOM APIs. Only http: and https: become links (never javascript:, data:
// or anything else), and every link opens in a new tab without giving it a handle on this page. An address with
// user info ("http://javascript:alert(1)@evil.com", "https://bank.com@evil.com") stays text: what reads as the host
// is not where it goes. An internationalized host is linked with its real (punycode) host shown after it, since
// "аpple.com" with a Cyrillic а reads as apple.com.

// A run of non-space characters starting with http:// or https://. Case-insensitive so "HTTPS://" links too.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;
// An "@" before the end of the authority: user info, whatever the URL parser makes of it.
const USER_INFO = /^https?:\/\/[^/?#]*@/i;
// Punctuation that usually ends the sentence around a link rather than belonging to it.
const TRAILING_PUNCTUATION = /[.,;:!?'")\]}]+$/;

/** Replaces the element's content with the text, its http(s) addresses as links. */
export function setLinkifiedText(element, text) {
  element.replaceChildren();
  let position = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let address = match[0];
    const trailing = address.match(TRAILING_PUNCTUATION);
    if (trailing) {
      address = address.slice(0, -trailing[0].length);
    }
    const url = parseWebUrl(address);
    if (!url) {
      continue;
    }
    element.append(text.slice(position, match.index));
    const link = document.createElement('a');
    link.href = url.href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    link.textContent = address;
    element.append(link);
    if (url.hostname.split('.').some((label) => label.startsWith('xn--'))) {
      const host = document.createElement('span');
      host.className = 'link-host small text-body-secondary';
      host.textContent = ` (${url.hostname})`;
      element.append(host);
    }
    position = match.index + address.length;
  }
  element.append(text.slice(position));
}

/** Linkifies every server-rendered message text under root (the history rendered with the page). */
export function linkifyAll(root) {
  for (const element of root.querySelectorAll('.message-text')) {
    setLinkifiedText(element, element.textContent);
  }
}

function parseWebUrl(address) {
  if (USER_INFO.test(address)) {
    return null;
  }
  try {
    const url = new URL(address);
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    return web && url.username === '' && url.password === '' ? url : null;
  } catch {
    return null;
  }
}
