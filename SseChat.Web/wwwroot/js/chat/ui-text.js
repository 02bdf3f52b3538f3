// The page scripts' words in the page's language. The server renders them into every page as a JSON block
// (Views/Shared/_ScriptText.cshtml, from Resources/Localization/ScriptText*.resx), so no script holds a language
// of its own. Keys are dotted lower camel case ("connection.live"); a counted text has one key per CLDR plural
// category ("newMessages.one", "newMessages.other"), chosen with Intl.PluralRules for the page's language.
const PLACEHOLDER = /\{(\w+)\}/g;

/** The page's language (`<html lang>`, the request's culture): what the words are in. */
export const pageLanguage = document.documentElement.lang || 'en';

/**
 * The locale numbers, dates and times are formatted in: the reader's own browser locale when it is a variant of
 * the page's language (an en-GB reader of the English page keeps day-month dates, a zh-CN reader gets 2026年…),
 * otherwise the page's language, so that a reader who picked Chinese on an English browser gets Chinese dates.
 */
export const formattingLocale = navigator.languages.find((candidate) => sameLanguage(candidate, pageLanguage))
  ?? pageLanguage;

const catalogue = readCatalogue();
const pluralRules = new Intl.PluralRules(pageLanguage);
const numberFormat = new Intl.NumberFormat(formattingLocale);

/**
 * The text under key with its {name} placeholders filled from values; numbers are formatted for the page. What is
 * missing is loud, never a silent English fallback: the key (or the placeholder) shows on the page, and the console
 * says what is missing, starting with "ui-text:" (the browser tests fail on such messages).
 */
export function text(key, values = {}) {
  const template = catalogue[key];
  if (typeof template !== 'string') {
    console.error(`ui-text: no text for key "${key}"`);
    return key;
  }
  return template.replace(PLACEHOLDER, (placeholder, name) => {
    if (Object.hasOwn(values, name)) {
      return display(values[name]);
    }
    console.error(`ui-text: text "${key}" needs a value for {${name}}`);
    return placeholder;
  });
}

/**
 * Like text(), as DOM nodes for element.replaceChildren(): a value that is a Node goes in as that node, so a
 * caller can put user text in an element of its own (a <bdi> for a name) instead of splicing it into a string.
 */
export function textNodes(key, values = {}) {
  const template = catalogue[key];
  if (typeof template !== 'string') {
    return [text(key, values)]; // says what is missing
  }
  // split() with a capturing group alternates literal text and placeholder names.
  return template.split(PLACEHOLDER).map((part, index) => {
    if (index % 2 === 0) {
      return part;
    }
    if (!Object.hasOwn(values, part)) {
      console.error(`ui-text: text "${key}" needs a value for {${part}}`);
      return `{${part}}`;
    }
    return values[part] instanceof Node ? values[part] : display(values[part]);
  });
}

/** The counted text under key: key.one, key.other... by the page language's plural rules; {count} is count. */
export function plural(key, count, values = {}) {
  const exact = `${key}.${pluralRules.select(count)}`;
  // "other" is the category every language has; a language with fewer categories than the rules know uses it.
  return text(exact in catalogue ? exact : `${key}.other`, { ...values, count });
}

/** A number written the way the page's readers write numbers (1,234 or 1 234...). */
export function formatNumber(value) {
  return numberFormat.format(value);
}

function display(value) {
  return typeof value === 'number' ? formatNumber(value) : String(value);
}

function readCatalogue() {
  const block = document.getElementById('ui-text');
  if (!block) {
    console.error('ui-text: the page has no #ui-text block');
    return {};
  }
  try {
    return JSON.parse(block.textContent);
  } catch (error) {
    console.error(`ui-text: the #ui-text block is not JSON: ${error.message}`);
    return {};
  }
}

function sameLanguage(a, b) {
  try {
    const [first, second] = [new Intl.Locale(a).maximize(), new Intl.Locale(b).maximize()];
    return first.language === second.language && first.script === second.script;
  } catch {
    return false; // a malformed language tag matches nothing
  }
}
