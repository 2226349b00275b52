// Every console page and field-app view as people read them: in Hindi no wording the catalogues translate
// appears in English (nor an English month or weekday), and at 360 px every table keeps its columns on the
// screen, the header stays short and no paragraph is left empty.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, launch, PHONE, ADMIN, MANAGER, consoleSignIn, consolePaths, setLanguage } from '../harness.mjs';

const VIKRAM = { company: 'sharma-agro', login: 'vikram.singh@sharma-agro.in', password: 'field-employee-demo-2026' };

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const read = (path) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));

/** English wordings that have a different Hindi translation: the console's (English → Hindi) and the app's (key → text). */
function translatedEnglish() {
  const wordings = new Set();
  for (const crate of ['outfield-core', 'outfield-clients', 'outfield-field']) {
    for (const [english, hindi] of Object.entries(read(`../../crates/${crate}/i18n/hi.json`))) {
      if (english !== hindi) wordings.add(english);
    }
  }
  const en = read('../../crates/outfield/app/i18n/en.json');
  const hi = read('../../crates/outfield/app/i18n/hi.json');
  for (const [key, english] of Object.entries(en)) if (hi[key] !== english) wordings.add(english);
  return [...wordings].filter((w) => /[A-Za-z]{2}/.test(w));
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One test per wording: a single word must be a whole text by itself, as written or as a code in lower
 * case ("active" for "Active"); a longer wording may sit inside a text. Values (`{}`, `{1}`, `{name}`)
 * match anything, except in a wording of fewer than two words around its values ("{1} of {2}", "{} km"),
 * whose values must be figures — else any sentence a person typed would match.
 */
function patterns() {
  return translatedEnglish().map((wording) => {
    const words = wording.replace(/\{[a-z0-9]*\}/g, ' ').match(/[A-Za-z]+/g) || [];
    const value = words.length < 2 ? '[0-9.,:%±]+' : '.+?';
    const source = escape(wording).replace(/\\\{[a-z0-9]*\\\}/g, value);
    const single = !/\s/.test(wording.replace(/\{[a-z0-9]*\}/g, ''));
    if (!single) {
      const pattern = new RegExp(`(^|[^A-Za-z])${source}($|[^A-Za-z])`);
      return { wording, test: (text) => pattern.test(text) };
    }
    const exact = new RegExp(`^${source}$`);
    const code = new RegExp(`^${source}$`, 'i');
    return { wording, test: (text) => exact.test(text) || (text === text.toLowerCase() && code.test(text)) };
  });
}

/** A date as pages write it in English: "7 Dec", "Monday 7 Dec" (a weekday alone may be a person's words). */
const DATES = /\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b|\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d/;

/**
 * Every text a person reads or hears on the page: text nodes, and the attributes that are read out or
 * shown. What a form holds for editing (a text area's stored list or notice) is the company's data.
 */
function visibleTexts() {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('script, style, textarea, [translate=no]')) continue;
    const text = node.textContent.replace(/\s+/g, ' ').trim();
    if (text) texts.push(text);
  }
  for (const element of document.body.querySelectorAll('[title], [placeholder], [aria-label], [alt], input[type=submit]')) {
    if (element.closest('[translate=no]')) continue;
    for (const name of ['title', 'placeholder', 'aria-label', 'alt', 'value']) {
      if (name === 'value' && element.type !== 'submit') continue;
      const text = element.getAttribute(name)?.trim();
      if (text) texts.push(text);
    }
  }
  return texts;
}

/** The English a Hindi page shows, one line per text. */
async function untranslated(page, where, catalogue) {
  const found = [];
  for (const text of await page.evaluate(visibleTexts)) {
    const hit = catalogue.find((entry) => entry.test(text));
    if (hit) found.push(`${where}: "${text}" (catalogued "${hit.wording}")`);
    else if (DATES.test(text)) found.push(`${where}: "${text}" (an English date)`);
  }
  return found;
}

test('in Hindi no console page or app view shows a catalogued wording, a month or a weekday in English', async () => {
  const catalogue = patterns();
  const found = [];
  for (const who of [ADMIN, MANAGER]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await consoleSignIn(context, server.base, who);
    const paths = await consolePaths(page, server.base, who === ADMIN);
    await setLanguage(page, server.base, 'hi');
    for (const path of paths) {
      const response = await page.goto(`${server.base}${path}`);
      assert.equal(response.status(), 200, path);
      found.push(...await untranslated(page, path, catalogue));
    }
    await context.close();
  }
  const context = await browser.newContext({ ...PHONE, geolocation: { latitude: 18.5204, longitude: 73.8567, accuracy: 12 }, permissions: ['geolocation'] });
  const app = await context.newPage();
  await app.goto(`${server.base}/app/`);
  await app.click('[data-lang="hi"]');
  await app.waitForFunction(() => document.querySelector('#signin button[type=submit]')?.textContent.trim() !== 'Sign in');
  found.push(...await untranslated(app, 'app sign-in', catalogue));
  await app.fill('#company', VIKRAM.company);
  await app.fill('#login', VIKRAM.login);
  await app.fill('#password', VIKRAM.password);
  await app.click('button[type=submit]');
  await app.waitForSelector('#done');
  found.push(...await untranslated(app, 'app consent', catalogue));
  await app.click('[data-grant=location]');
  await app.waitForSelector('[data-revoke=location]');
  await app.click('#done');
  await app.waitForSelector('#end-day', { timeout: 15_000 });
  await app.waitForSelector('#plan li');
  found.push(...await untranslated(app, 'app home', catalogue));
  await app.click('#plan [data-client]');
  await app.waitForSelector('#to-list');
  found.push(...await untranslated(app, 'app client', catalogue));
  await app.click('#to-list');
  await app.waitForSelector('#new-outlet');
  found.push(...await untranslated(app, 'app clients', catalogue));
  await app.click('#new-outlet');
  await app.waitForSelector('#outlet-form');
  found.push(...await untranslated(app, 'app new outlet', catalogue));
  await app.click('#to-list');
  await app.waitForSelector('#to-home');
  await app.click('#to-home');
  await app.waitForSelector('#to-days');
  await app.click('#to-days');
  await app.waitForSelector('#day-story');
  found.push(...await untranslated(app, 'app days', catalogue));
  await app.click('#to-home');
  await app.waitForSelector('#to-settings');
  await app.click('#to-settings');
  await app.waitForSelector('#language');
  found.push(...await untranslated(app, 'app settings', catalogue));
  await context.close();
  assert.deepEqual(found, []);
});

/** Tables whose right edge leaves the screen, empty paragraphs, and the header's height. */
function narrowLayout() {
  const width = document.documentElement.clientWidth;
  const cut = [...document.querySelectorAll('main table')]
    .filter((table) => table.getBoundingClientRect().right > width + 1 && table.offsetParent)
    .map((table) => `table "${table.querySelector('caption, th')?.textContent.trim() ?? ''}" is ${Math.round(table.getBoundingClientRect().right - width)} px too wide`);
  if (document.documentElement.scrollWidth > width + 1) cut.push(`the page scrolls sideways by ${document.documentElement.scrollWidth - width} px`);
  // A paragraph with nothing in it is a gap in the page where a sentence was meant to be.
  const empty = [...document.querySelectorAll('main p')]
    .filter((p) => !p.textContent.trim() && !p.querySelector('img, svg, input, button, select, canvas') && !p.hidden && p.offsetParent)
    .map((p) => `an empty paragraph (${p.className || 'no class'}) after "${(p.previousElementSibling?.textContent ?? '').trim().slice(0, 40)}"`);
  return { cut: [...cut, ...empty], header: Math.round(document.querySelector('body > header')?.getBoundingClientRect().height ?? 0) };
}

test('at 360 px every console page keeps its tables on the screen, a short header and no empty paragraph', async () => {
  const found = [];
  for (const who of [ADMIN, MANAGER]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await consoleSignIn(context, server.base, who);
    const paths = await consolePaths(page, server.base, who === ADMIN);
    await page.setViewportSize({ width: 360, height: 740 });
    for (const lang of ['en', 'hi']) {
      await setLanguage(page, server.base, lang);
      for (const path of paths) {
        const response = await page.goto(`${server.base}${path}`);
        assert.equal(response.status(), 200, path);
        const { cut, header } = await page.evaluate(narrowLayout);
        for (const line of cut) found.push(`${lang} ${path}: ${line}`);
        if (header > 100) found.push(`${lang} ${path}: the header is ${header} px high`);
      }
    }
    await context.close();
  }
  assert.deepEqual(found, []);
});
