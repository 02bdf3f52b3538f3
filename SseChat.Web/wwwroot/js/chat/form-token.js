// The room page's antiforgery token. The server ties a token to the identity the page was rendered for, so signing
// in or out of the admin area in another tab makes the page's token stale: the next post is refused with a 400 whose
// ProblemDetails says so by its `code` (AntiforgeryProblemFilter), not by words, and a fresh token fixes it.
const TOKEN_FIELD = '__RequestVerificationToken';
const ANTIFORGERY_CODE = 'antiforgery';

/** Whether a refusal (its status and ProblemDetails body) means that the page's token no longer verifies. */
export function isStaleTokenRefusal(status, problem) {
  return status === 400 && problem?.code === ANTIFORGERY_CODE;
}

/**
 * Fetches a fresh token from url and puts it in the form, where every script of the page reads it. Returns whether
 * it did; a network failure throws, as any fetch does.
 */
export async function refreshFormToken(form, url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) {
    return false;
  }
  const { token } = await response.json();
  if (typeof token !== 'string' || token === '') {
    return false;
  }
  form.elements.namedItem(TOKEN_FIELD).value = token;
  return true;
}
