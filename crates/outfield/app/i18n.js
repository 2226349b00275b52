// Interface strings: one catalogue per language in i18n/<lang>.json; the choice is remembered.

let strings = {};
let fallback = {};
export let language = 'en';

async function load(lang) {
  const response = await fetch(`/app/i18n/${lang}.json`);
  return response.json();
}

/** Loads a language (English fills any gap). */
export async function use(lang) {
  fallback = await load('en');
  strings = lang === 'en' ? fallback : await load(lang);
  language = lang;
  document.documentElement.lang = lang;
}

/**
 * The string for `key`, with `{name}` placeholders filled from `vars`. A count of one reads its own
 * wording (`key.one`, "1 file to upload") where the language has one.
 */
export function t(key, vars = {}) {
  const one = vars.count === 1 ? [strings[`${key}.one`], strings[key], fallback[`${key}.one`]] : [strings[key]];
  const text = one.find((wording) => wording !== undefined) ?? fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

/**
 * A word the server sends as a code or a company label (an interaction kind, a built-in client type):
 * its wording under `prefix` when the catalogue has one, else the word itself.
 */
export function word(prefix, value) {
  return strings[`${prefix}.${value}`] ?? fallback[`${prefix}.${value}`] ?? value;
}
