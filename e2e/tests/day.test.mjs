// The day of the demo's printed field employee, whose day is already in progress: every way into it
// (sign-in and consent, a permission allowed later in Settings) starts tracking at once; Home opens at
// its top; Settings opens without an error; a late answer never takes the employee to another screen; a
// check-in takes a fresh position and tells the employee how far the client is.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, PHONE, MANAGER, appSignIn, adminApi, consoleSignIn } from '../harness.mjs';

/** The demo's printed field employee: clients, today's beat and a day in progress. */
const VIKRAM = { company: 'sharma-agro', login: 'vikram.singh@sharma-agro.in', password: 'field-employee-demo-2026' };
const PUNE = { latitude: 18.5204, longitude: 73.8567, accuracy: 12 };
const north = (metres) => ({ ...PUNE, latitude: PUNE.latitude + metres / 111195 });

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

/** Vikram's live position as the console's live map reads it, once it is newer than `since`. */
async function seenSince(since) {
  const { call } = await adminApi(server.base);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const live = await call('GET', '/api/v1/live');
    const vikram = live.find((p) => p.name === 'Vikram Singh');
    if (vikram?.last_fix && Date.parse(vikram.last_fix.received_at) >= since) return vikram.last_fix;
    if (Date.now() > deadline) return null;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Signs Vikram in, allows location on the consent screen and waits for Home with his open day. */
async function intoTheDay(page) {
  await appSignIn(page, server.base, VIKRAM);
  await page.click('[data-grant=location]');
  await page.waitForSelector('[data-revoke=location]');
  await page.click('#done');
  await page.waitForSelector('#end-day', { timeout: 15_000 });
}

async function untilRecorded(page) {
  await page.waitForFunction(() => document.querySelector('#tracking')?.textContent.includes('recorded'), null, { timeout: 15_000 });
}

test('signing in to a day in progress and allowing location on the consent screen starts tracking at once', async () => {
  const context = await browser.newContext({ ...PHONE, geolocation: PUNE, permissions: ['geolocation'] });
  const page = await context.newPage();
  const since = Date.now();
  await appSignIn(page, server.base, VIKRAM);
  await page.click('[data-grant=location]');
  await page.waitForSelector('[data-revoke=location]');
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.click('#done');
  await page.waitForSelector('#end-day', { timeout: 15_000 });
  assert.equal(await page.evaluate(() => window.scrollY), 0, 'Home opens at its top');
  await untilRecorded(page);
  await page.click('#sync-now');
  const fix = await seenSince(since);
  assert.ok(fix, 'the live map shows the new position');
  assert.ok(Math.abs(fix.latitude - PUNE.latitude) < 1e-6);
  await context.close();
});

test('a permission allowed later in Settings starts tracking; Settings opens without an error', async () => {
  const context = await browser.newContext({ ...PHONE, geolocation: north(300), permissions: ['geolocation'] });
  const page = await context.newPage();
  await appSignIn(page, server.base, VIKRAM);
  await page.click('#done');
  await page.waitForSelector('#end-day', { timeout: 15_000 });
  assert.ok((await page.textContent('#tracking')).includes('not allowed'), 'without location only attendance');
  await page.click('#to-settings');
  await page.waitForSelector('#language');
  assert.equal(await page.locator('#view [role=alert]').count(), 0, 'no error on a Settings opened from Home');
  assert.ok(!(await page.textContent('#view')).includes('[object'), 'no object shown as text');
  const since = Date.now();
  await page.click('[data-grant=location]');
  await page.waitForSelector('[data-revoke=location]');
  await page.click('#to-home');
  await untilRecorded(page);
  await page.click('#sync-now');
  assert.ok(await seenSince(since), 'the position reached the server');
  await context.close();
});

test('a late answer to "clients near me" never takes the employee to another screen', async () => {
  const context = await browser.newContext({ ...PHONE, geolocation: PUNE, permissions: ['geolocation'] });
  const page = await context.newPage();
  await intoTheDay(page);
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/v1/clients?latitude=*', async (route) => { await held; await route.continue(); });
  await page.click('#to-clients');
  await page.click('#near-me');
  await page.click('#to-home');
  await page.waitForSelector('#end-day');
  release();
  await page.waitForTimeout(1500);
  assert.equal(await page.locator('#end-day').count(), 1, 'Home is still showing');
  assert.equal(await page.locator('#client-list').count(), 0);
  await context.close();
});

test('a check-in takes a fresh position and tells the employee how far the client is', async () => {
  const { call, field } = await adminApi(server.base);
  const people = await call('GET', '/api/v1/people');
  const vikram = people.find((p) => p.email === VIKRAM.login);
  const client = await call('POST', '/api/v1/clients', {
    name: 'Om Sai Agro Centre', owner_ids: [vikram.id], location: { latitude: north(9000).latitude, longitude: PUNE.longitude },
  });
  assert.ok(field, 'the harness found its field employee');
  const context = await browser.newContext({ ...PHONE, geolocation: north(8960), permissions: ['geolocation'] });
  const page = await context.newPage();
  await intoTheDay(page);
  await untilRecorded(page);
  // The phone walks away, 9 km from the client; the check-in must not use the position from before.
  await context.setGeolocation(PUNE);
  await page.click('#to-clients');
  await page.fill('#client-q', 'Om Sai');
  await page.click('#client-search button[type=submit]');
  await page.click('#client-list a:has-text("Om Sai Agro Centre")');
  await page.click('#check-in');
  await page.waitForSelector('#check-in-verdict');
  const verdict = await page.textContent('#check-in-verdict');
  assert.match(verdict, /9\.0 km/, verdict);
  assert.match(verdict, /out of range/i, verdict);
  await page.click('#visit-report button[type=submit]');
  await page.waitForSelector('#end-day');
  await context.close();
  assert.ok(client.id);
});

test('the demo employee\'s day end to end: tracking, a far check-in for him and his manager, his note and the exceptions in the console', async () => {
  const { call } = await adminApi(server.base);
  const vikram = (await call('GET', '/api/v1/people')).find((p) => p.email === VIKRAM.login);
  await call('POST', '/api/v1/clients', {
    name: 'Sai Krupa Krishi Seva', owner_ids: [vikram.id], location: { latitude: north(5000).latitude, longitude: PUNE.longitude },
  });
  const context = await browser.newContext({ ...PHONE, geolocation: PUNE, permissions: ['geolocation'] });
  const page = await context.newPage();
  const since = Date.now();
  await intoTheDay(page);
  await untilRecorded(page);
  await page.click('#sync-now');
  assert.ok(await seenSince(since), 'the position is on the live map');

  await page.fill('#note', 'Dealer asked for the new bio-stimulant price list');
  await page.click('#note-form button[type=submit]');
  await page.click('#to-clients');
  await page.fill('#client-q', 'Sai Krupa');
  await page.click('#client-search button[type=submit]');
  await page.click('#client-list a:has-text("Sai Krupa Krishi Seva")');
  await page.click('#check-in');
  await page.waitForSelector('#check-in-verdict');
  assert.match(await page.textContent('#check-in-verdict'), /out of range.*5\.0 km/i, 'the employee is told at once');
  await page.click('#to-list');
  await page.click('#to-home');
  await page.click('#sync-now');
  await page.waitForFunction(() => !document.querySelector('#notes .tag.waiting'), null, { timeout: 15_000 });

  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const manager = await consoleSignIn(desk, server.base, MANAGER);
  const exception = manager.locator('.exception-list li', { hasText: 'Sai Krupa Krishi Seva' });
  for (let tries = 0; tries < 20 && !(await exception.count()); tries++) {
    await new Promise((r) => setTimeout(r, 500));
    await manager.goto(`${server.base}/console`);
  }
  assert.match(await exception.textContent(), /Vikram Singh.*Checked in 5.0 km from Sai Krupa Krishi Seva/);
  assert.match(await manager.textContent('section[aria-labelledby=field-notes]'), /Vikram Singh.*Dealer asked for the new bio-stimulant price list/,
    'the note is on the overview');
  await exception.locator('a').click();
  await manager.waitForURL(/\/day\?day=.*#at-\d{4}$/);
  const checkIn = manager.locator('.timeline li', { hasText: 'Sai Krupa Krishi Seva — Out of range' });
  assert.equal(await manager.locator('.timeline li:target time').textContent(), await checkIn.locator('time').textContent(),
    'the day opens at the minute of the check-in');
  assert.match(await manager.textContent('.facts'), /check-in out of range/, 'the day is flagged');
  assert.match(await manager.textContent('.timeline'), /Note: Dealer asked for the new bio-stimulant price list/);
  await desk.close();
  await context.close();
});

test('the employee sees their own day: each check-in\'s verdict, visits against the plan, and each silence explained', async () => {
  const context = await browser.newContext({ ...PHONE, geolocation: PUNE, permissions: ['geolocation'] });
  const page = await context.newPage();
  await intoTheDay(page);
  const now = Date.now();
  const minutes = (n) => now - n * 60000;
  // Forty minutes without positions, thirty of them with the app out of sight, in a day that began 90
  // minutes ago with a position every two minutes (whatever the hour: just after midnight the demo's day
  // in progress is younger than that).
  await page.route('**/api/v1/people/*/days/*', async (route) => {
    const response = await route.fetch();
    const day = await response.json();
    const [latitude, longitude, , ...rest] = day.trail[0];
    const early = [];
    for (let at = minutes(90); at < minutes(60); at += 2 * 60000) early.push([latitude, longitude, at, ...rest]);
    day.start_device_time = new Date(minutes(90)).toISOString();
    day.trail = [...early, ...day.trail.filter((fix) => fix[2] > minutes(20))];
    await route.fulfill({ response, json: day });
  });
  await page.evaluate(async ([from, until]) => {
    const store = await import('/app/store.js');
    await store.put('meta', [{ from, until }], 'screenOff');
  }, [minutes(55), minutes(25)]);
  await page.click('#to-days');
  await page.waitForSelector('#day-story');
  const story = await page.textContent('#day-story');
  assert.match(story, /Screen off from \d\d:\d\d( [ap]m)? to \d\d:\d\d/, story);
  assert.match(story, /Shree Siddhivinayak Krishi Kendra: (Verified|Not verified|Out of range)/, story);
  assert.match(await page.textContent('#my-day-summary'), /2 of 4 planned visits done/);
  await context.close();
});
