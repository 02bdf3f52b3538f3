// Why the server refused a request. Its ProblemDetails answers are already in the reader's language (the request
// carried the page's culture), so their words are shown as they are rather than replaced by the script's own.
import { text } from './ui-text.js';

/** The field errors, else the title and detail, of a ProblemDetails answer; just the status when it has none. */
export async function describeProblem(response) {
  return describe(await readProblem(response), response.status);
}

/** The ProblemDetails body of an answer, or null when it has none (a proxy's error page, say). */
export async function readProblem(response) {
  try {
    const problem = await response.json();
    return problem !== null && typeof problem === 'object' ? problem : null;
  } catch {
    return null;
  }
}

/** describeProblem for a body already read with readProblem. */
export function describe(problem, status) {
  const fieldErrors = Object.values(problem?.errors ?? {}).flat();
  const sentences = fieldErrors.length > 0 ? fieldErrors : [problem?.title, problem?.detail].filter(Boolean);
  if (sentences.length > 0) {
    // English puts a space between sentences, Chinese none.
    return sentences.reduce((first, next) => text('problem.sentences', { first, next }));
  }
  // Not ProblemDetails: the status is all there is to tell.
  return text('server.status', { status: String(status) });
}
