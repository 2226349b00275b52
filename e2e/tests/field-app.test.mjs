// The field app in a phone-sized headless Chromium: installability, consent first, offline records that
// survive reloads and browser restarts and reach the server exactly once, revoked devices.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launch, launchPersistent, PHONE, COUNT_PERMISSION_CALLS, appSignIn, adminApi, consoleSignIn } from '../harness.mjs';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const waiting = async (page) => Number((await page.textContent('#sync-text')).match(/(\d+) waiting/)[1]);

async function untilWaiting(page, count) {
  await page.waitForFunction((n) => document.querySelector('#sync-text')?.textContent.startsWith(`${n} waiting`), count, { timeout: 20000 });
}

test('the app is installable: manifest, icons, and a service worker that serves the shell offline', async () => {
  const manifest = await (await fetch(`${server.base}/app/manifest.webmanifest`)).json();
  assert.equal(manifest.display, 'standalone');
  assert.equal(manifest.start_url, '/app/');
  const sizes = manifest.icons.map((i) => i.sizes);
  assert.ok(sizes.includes('192x192') && sizes.includes('512x512'));
  for (const icon of manifest.icons) assert.equal((await fetch(`${server.base}${icon.src}`)).status, 200);

  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${server.base}/app/`);
  await page.waitForFunction(() => navigator.serviceWorker.ready.then(() => true));
  await page.reload();
  assert.ok(await page.evaluate(() => !!navigator.serviceWorker.controller), 'the page is controlled by the service worker');
  assert.equal(await page.evaluate(() => document.querySelector('link[rel=manifest]').href.endsWith('/app/manifest.webmanifest')), true);
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('#company');
  await context.close();
});

test('consent comes first: no browser permission is requested before the in-app grant', async () => {
  const context = await browser.newContext({ ...PHONE, geolocation: { latitude: 18.5204, longitude: 73.8567, accuracy: 15 }, permissions: ['geolocation'] });
  await context.addInitScript(COUNT_PERMISSION_CALLS);
  const page = await context.newPage();
  await appSignIn(page, server.base);
  await page.waitForSelector('[data-permission=location]');
  assert.deepEqual(await page.evaluate(() => window.__calls), { geolocation: 0, getUserMedia: 0 });
  // Nothing decided yet reads as undecided, not as taken back.
  assert.equal(await page.locator('[data-permission=camera] .state-undecided').count(), 1);
  assert.equal(await page.locator('.state-revoked').count(), 0);
  await page.click('[data-grant=location]');
  await page.waitForSelector('[data-permission=location] [data-revoke=location]');
  const calls = await page.evaluate(() => window.__calls);
  assert.equal(calls.geolocation, 1, 'the browser is asked once, after the in-app grant');
  assert.equal(calls.getUserMedia, 0);
  await page.click('#done');
  await page.waitForSelector('#note-form');
  await untilWaiting(page, 0);
  assert.deepEqual(await page.evaluate(() => window.__calls), { geolocation: 1, getUserMedia: 0 }, 'camera and microphone were never requested');

  const { call, field } = await adminApi(server.base);
  const ledger = await call('GET', `/api/v1/people/${field.id}/consents`);
  assert.deepEqual(ledger.map((e) => [e.permission, e.decision]), [['location', 'granted']]);
  await context.close();
});

test('offline records survive a reload and a browser restart, then reach the server exactly once', async () => {
  const profile = mkdtempSync(join(tmpdir(), 'outfield-profile-'));
  const geo = { geolocation: { latitude: 19.076, longitude: 72.8777, accuracy: 12 }, permissions: ['geolocation'] };
  let context = await launchPersistent(profile, geo);
  await context.addInitScript(COUNT_PERMISSION_CALLS);
  let page = context.pages()[0] ?? await context.newPage();
  // Kavita has no working day open in the demo (Vikram's and Arjun's would add position records).
  await appSignIn(page, server.base, { company: 'sharma-agro', login: 'kavita.patil@sharma-agro.in', password: 'field-employee-demo-2026' });
  await page.click('[data-grant=location]');
  await page.waitForSelector('[data-revoke=location]');
  await page.click('#done');
  await page.waitForSelector('#note-form');
  await untilWaiting(page, 0);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

  await context.setOffline(true);
  const texts = ['Met the owner of Shree Krishna Traders', 'Sharma Kirana wants 20 bags of urea', 'Shop closed on Tuesday'];
  for (const text of texts) {
    await page.fill('#note', text);
    await page.click('#note-form button[type=submit]');
    await page.waitForSelector(`#notes li:has-text("${text}")`);
  }
  await untilWaiting(page, 3);
  await page.reload();
  await page.waitForSelector('#note-form');
  await untilWaiting(page, 3);
  assert.equal(await page.evaluate(() => window.__calls.getUserMedia), 0);
  await context.close();

  context = await launchPersistent(profile, geo);
  await context.setOffline(true);
  page = context.pages()[0] ?? await context.newPage();
  await page.goto(`${server.base}/app/`);
  await page.waitForSelector('#note-form');
  await untilWaiting(page, 3);
  await context.setOffline(false);
  await untilWaiting(page, 0);
  assert.equal(await waiting(page), 0);
  await page.click('#sync-now');
  await untilWaiting(page, 0);
  await context.close();
  rmSync(profile, { recursive: true, force: true });

  const { call } = await adminApi(server.base);
  const people = await call('GET', '/api/v1/people?q=kavita');
  const notes = await call('GET', `/api/v1/people/${people[0].id}/notes`);
  assert.deepEqual(notes.map((n) => n.text).sort(), [...texts].sort(), 'each record exactly once');
});

test('a device revoked while offline keeps its records and says so', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await appSignIn(page, server.base, { company: 'sharma-agro', login: 'arjun.mehta@sharma-agro.in', password: 'field-employee-demo-2026' });
  await page.click('#done');
  await page.waitForSelector('#note-form');
  await untilWaiting(page, 0);
  await context.setOffline(true);
  await page.fill('#note', 'Written before the phone was revoked');
  await page.click('#note-form button[type=submit]');
  await untilWaiting(page, 1);

  const { call } = await adminApi(server.base);
  const people = await call('GET', '/api/v1/people?q=arjun');
  const devices = await call('GET', `/api/v1/people/${people[0].id}/devices`);
  await call('DELETE', `/api/v1/people/${people[0].id}/devices/${devices[0].id}`);

  await context.setOffline(false);
  await page.click('#sync-now');
  await page.waitForSelector('#banner:not([hidden])');
  assert.match(await page.textContent('#banner'), /signed out by your company.*1 unsent/);
  assert.equal(await waiting(page), 1, 'the record is kept');
  await page.click('#to-settings');
  const download = page.waitForEvent('download');
  await page.click('#export');
  const file = await download;
  assert.match(file.suggestedFilename(), /^outfield-export-\d+\.json$/);
  await context.close();
});

test('Hindi is chosen once and remembered', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await appSignIn(page, server.base, { company: 'sharma-agro', login: 'kavita.patil@sharma-agro.in', password: 'field-employee-demo-2026' });
  await page.click('#done');
  await page.click('#to-settings');
  await page.selectOption('#language', 'hi');
  await page.waitForSelector('h1:has-text("सेटिंग्स")');
  await page.reload();
  await page.waitForSelector('h1:has-text("आज")');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'hi');
  await context.close();
});

test('the first screen offers Hindi, keeps what was typed after a wrong password, and the account remembers the choice', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const vikram = { company: 'sharma-agro', login: 'vikram.singh@sharma-agro.in', password: 'field-employee-demo-2026' };
  await page.goto(`${server.base}/app/`);
  await page.click('[data-lang="hi"]');
  await page.waitForSelector('h1:has-text("साइन इन करें")');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'hi');
  await page.fill('#company', vikram.company);
  await page.fill('#login', vikram.login);
  await page.fill('#password', 'not-the-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('.error:has-text("गलत")');
  assert.equal(await page.inputValue('#company'), vikram.company);
  assert.equal(await page.inputValue('#login'), vikram.login);
  assert.equal(await page.inputValue('#password'), '', 'the password is typed again');
  await page.fill('#password', vikram.password);
  await page.click('button[type=submit]');
  await page.waitForFunction(() => !document.querySelector('#signin'));
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'hi');
  const consolePage = await consoleSignIn(context, server.base, vikram);
  await consolePage.waitForSelector('html[lang="hi"] nav >> text=अवलोकन');
  await context.close();
});

test('sign-out sends what is queued first, and warns before discarding what cannot be sent', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await appSignIn(page, server.base, { company: 'sharma-agro', login: 'mohammed.irfan@sharma-agro.in', password: 'field-employee-demo-2026' });
  await page.click('#done');
  await page.waitForSelector('#note-form');
  await context.setOffline(true);
  await page.fill('#note', 'Unsent when signing out');
  await page.click('#note-form button[type=submit]');
  await untilWaiting(page, 1);
  await page.click('#to-settings');
  await page.click('#signout');
  await page.waitForSelector('#signout:has-text("1 record is not sent yet")');
  assert.ok(await page.isVisible('#export'), 'export is offered before discarding');
  await context.setOffline(false);
  await page.click('#to-home');
  await untilWaiting(page, 0);
  await page.click('#to-settings');
  await page.click('#signout');
  await page.waitForSelector('#signin');
  const left = await page.evaluate(async () => (await import('/app/store.js')).count('outbox'));
  assert.equal(left, 0, 'local data wiped after everything was sent');
  await context.close();
});
