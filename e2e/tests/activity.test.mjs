// A field employee starts the day, moves (emulated geolocation, the page's clock fast-forwarded a minute
// per step), visits two clients — one inside the check-in radius, one outside — and ends the day. The
// manager sees the live position during the day, then the trail, the verdicts and the report with the
// right distance; a position sent after the end of the day is refused.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, PHONE, appSignIn, consoleSignIn, adminApi, FIELD, MANAGER } from '../harness.mjs';

const BASE = { latitude: 18.5204, longitude: 73.8567 };
const north = (metres) => ({ latitude: BASE.latitude + metres / 111195, longitude: BASE.longitude, accuracy: 10 });

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

/** Moves the phone and lets a minute pass; resolves once the app has recorded the new position. */
async function moveTo(page, context, metres) {
  const before = await page.textContent('#tracking');
  await page.clock.fastForward(60_000);
  await context.setGeolocation(north(metres));
  await page.waitForFunction((text) => document.querySelector('#tracking')?.textContent !== text, before);
}

async function visit(page, name, outcome, count) {
  await page.click(`#plan a:has-text("${name}")`);
  await page.click('#check-in');
  await page.waitForSelector('#visit-report');
  await page.clock.fastForward(5 * 60_000);
  await page.selectOption('#visit-outcome', outcome);
  await page.fill('#visit-notes', `Visited ${name}`);
  await page.click('#visit-report button[type=submit]');
  await page.waitForSelector('#start-day, #end-day');
  await page.waitForFunction((n) => document.querySelector('#my-day')?.textContent.includes(n === 1 ? '1 visit' : `${n} visits`), count);
}

test('a day in the field: start, move, two visits, end; the manager sees it all', async () => {
  const { call, field } = await adminApi(server.base);
  const near = await call('POST', '/api/v1/clients', { name: 'Shree Ganesh Traders', owner_ids: [field.id], location: { latitude: north(2040).latitude, longitude: BASE.longitude } });
  const far = await call('POST', '/api/v1/clients', { name: 'Laxmi Agro Kendra', owner_ids: [field.id], location: { latitude: north(4500).latitude, longitude: BASE.longitude } });
  const start = Date.now() - 40 * 60_000;
  const istDay = (ms) => new Date(ms).toLocaleDateString('en-CA', { timeZone: 'Asia/Kolkata' });
  const day = istDay(start);
  // The plan is for the day the phone starts on (and for today, should the two differ around midnight).
  for (const planned of new Set([day, istDay(Date.now())])) {
    await call('POST', '/api/v1/visit-plans', { person_id: field.id, client_ids: [near.id, far.id], day: planned });
  }

  const context = await browser.newContext({ ...PHONE, timezoneId: 'Asia/Kolkata', geolocation: north(0), permissions: ['geolocation'] });
  const page = await context.newPage();
  page.on('dialog', (dialog) => dialog.accept());
  await page.clock.install({ time: start });
  await appSignIn(page, server.base, FIELD);
  await page.click('[data-grant=location]');
  await page.waitForSelector('[data-revoke=location]');
  await page.click('#done');
  await page.click('#start-day');
  await page.waitForSelector('#end-day');
  await page.waitForFunction(() => document.querySelector('#tracking')?.textContent.includes('recorded'));

  for (let step = 1; step <= 10; step++) await moveTo(page, context, step * 200);
  await visit(page, 'Shree Ganesh Traders', 'Order taken', 1);
  for (let step = 11; step <= 20; step++) await moveTo(page, context, step * 200);

  const secondPhone = await browser.newContext({ ...PHONE, timezoneId: 'Asia/Kolkata' });
  const other = await secondPhone.newPage();
  await appSignIn(other, server.base, FIELD);
  await other.click('#done');
  await other.waitForSelector('#end-day');
  assert.match(await other.textContent('#duty'), /On duty since/, 'a second phone takes up the day started on the first');
  await secondPhone.close();

  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const manager = await consoleSignIn(desk, server.base, MANAGER);
  await page.evaluate(() => import('/app/sync.js').then((sync) => sync.syncNow()));
  await manager.goto(`${server.base}/console/live`);
  const row = manager.locator('tr', { hasText: 'Deepa Iyer' });
  await row.waitFor();
  assert.match(await row.textContent(), /±10 m/, 'the live position with its accuracy');

  await visit(page, 'Laxmi Agro Kendra', 'Shop closed', 2);
  await page.click('#end-day');
  await page.waitForSelector('#start-day');
  await page.evaluate(() => import('/app/sync.js').then((sync) => sync.syncNow()));
  await page.waitForFunction(() => document.querySelector('#sync-text')?.textContent.startsWith('0 waiting'), null, { timeout: 20000 });

  const device = await (await fetch(`${server.base}/api/v1/device-tokens`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...FIELD, device_label: 'Test phone' }),
  })).json();
  const late = await (await fetch(`${server.base}/api/v1/sync/push`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
    body: JSON.stringify({ records: [{ id: crypto.randomUUID(), kind: 'fix', device_time: Date.now(), payload: { ...north(4100), accuracy_m: 10, accuracy: undefined } }] }),
  })).json();
  assert.equal(late.results[0].status, 'rejected');
  assert.match(late.results[0].reason, /not on duty/);

  let report;
  // Summaries settle in the background within seconds of the last batch.
  for (let i = 0; i < 75; i++) {
    report = (await call('GET', `/api/v1/reports/activity?from=${day}`)).find((r) => r.person_id === field.id);
    if (Math.abs(report.distance_km - 4) < 0.05) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(Math.abs(report.distance_km - 4) < 0.05, `distance ${report.distance_km}`);
  assert.equal(report.visits_done, 2);
  assert.equal(report.visits_planned, 2);
  assert.equal(report.planned_done, 2);
  assert.equal(report.verified, 1);
  assert.equal(report.out_of_range, 1);

  await page.click('#to-days');
  const mine = await page.locator('#my-days li', { hasText: day }).textContent();
  assert.match(mine, /4(\.\d+)? km · 2 visits/, 'the employee sees their own day');

  await manager.goto(`${server.base}/console/people/${field.id}/day?day=${day}`);
  const visits = await manager.$$eval('table tbody tr', (rows) => rows.map((r) => r.textContent.replace(/\s+/g, ' ')));
  assert.match(visits[0], /Shree Ganesh Traders.*Verified.*Order taken/);
  assert.match(visits[1], /Laxmi Agro Kendra.*Out of range.*Shop closed/);
  assert.match(await manager.textContent('dl'), /4(\.0\d?)? km/);
  assert.ok(await manager.locator('#map .leaflet-overlay-pane path').count() > 0, 'the trail is drawn on the map');
  await manager.goto(`${server.base}/console/reports/activity?from=${day}`);
  const cells = await manager.locator('tr', { hasText: 'Deepa Iyer' }).locator('td').allTextContents();
  const figures = cells.map((c) => c.trim());
  assert.deepEqual(figures.slice(4, 9), ['2', '2', '100% (2)', '0', '1 (50%)'], 'planned, done, beat compliance, unplanned, productive (one order of two)');
  assert.deepEqual(figures.slice(10, 12), ['1 (50%)', '1'], 'verified, out of range');
  await desk.close();
  await context.close();
});

test('a manager puts a day plan into the order of the route by dragging a row and by its arrows', async () => {
  const { call, field } = await adminApi(server.base);
  const names = ['Route One Stores', 'Route Two Stores', 'Route Three Stores'];
  const clients = [];
  for (const name of names) clients.push(await call('POST', '/api/v1/clients', { name, owner_ids: [field.id] }));
  const day = '2030-01-15';
  await call('POST', '/api/v1/visit-plans', { person_id: field.id, client_ids: clients.map((c) => c.id), day });

  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const manager = await consoleSignIn(desk, server.base, MANAGER);
  await manager.goto(`${server.base}/console/people/${field.id}/plan?day=${day}`);
  const order = async () => (await manager.locator('tbody tr[data-plan-id]').allTextContents())
    .map((text) => names.find((name) => text.includes(name))).filter(Boolean);
  assert.deepEqual(await order(), names, 'the plan starts in the order it was made');

  const rows = manager.locator('tbody tr[data-plan-id]', { hasText: 'Route' });
  await Promise.all([manager.waitForEvent('load'), rows.nth(0).dragTo(rows.nth(2))]);
  const dragged = await order();
  assert.notEqual(dragged[0], names[0], `the dragged row left the top: ${dragged}`);
  await manager.reload();
  assert.deepEqual(await order(), dragged, 'the dragged order is kept');

  const last = dragged[2];
  await manager.click(`button[aria-label="Move ${last} up"]`);
  await manager.waitForSelector('tbody tr[data-plan-id]');
  assert.deepEqual(await order(), [dragged[0], last, dragged[1]], 'the arrow moves a client one place up');
  await desk.close();
});
