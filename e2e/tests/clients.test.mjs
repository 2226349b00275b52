// Clients in the browser: a field employee finds a client near them, calls a contact, records the outcome
// offline, and the manager sees it on the timeline; an admin imports a CSV and searches; an enquiry from
// the company website becomes an assigned lead.

import { createServer } from 'node:http';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, PHONE, appSignIn, consoleSignIn, adminApi, sessionCookie, FIELD, MANAGER } from '../harness.mjs';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('client near me → call → outcome offline → on the manager\'s timeline', async () => {
  const { call, field } = await adminApi(server.base);
  await call('PUT', '/api/v1/company/client-fields', {
    client_types: ['Retailer', 'Distributor'],
    custom_fields: [{ key: 'credit_class', label: 'Credit class', kind: 'choice', choices: ['A', 'B', 'C'] }],
  });
  const near = await call('POST', '/api/v1/clients', {
    name: 'Shree Krishna Traders', phone: '+91 20 2612 3456', owner_ids: [field.id],
    location: { latitude: 18.5210, longitude: 73.8570 }, address: 'Market Yard, Pune',
    other_phones: ['+91 98220 11111'], other_addresses: [{ label: 'Godown', address: 'Gultekdi, Pune' }],
    custom: { credit_class: 'a' },
  });
  await call('POST', '/api/v1/clients', { name: 'Far Away Agencies', owner_ids: [field.id], location: { latitude: 19.076, longitude: 72.8777 } });
  const contact = await call('POST', `/api/v1/clients/${near.id}/contacts`, { name: 'Mahesh Deshpande', role: 'Owner', phone: '+91 98230 55555' });

  const context = await browser.newContext({ ...PHONE, geolocation: { latitude: 18.5204, longitude: 73.8567, accuracy: 10 }, permissions: ['geolocation'] });
  const page = await context.newPage();
  await appSignIn(page, server.base, FIELD);
  await page.click('[data-grant=location]');
  await page.waitForSelector('[data-revoke=location]');
  await page.click('#done');
  await page.click('#to-clients');
  await page.fill('#client-q', 'shri krishna');
  await page.click('#client-search button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#client-list [data-client]').length === 1);
  assert.equal(await page.textContent('#client-list strong'), 'Shree Krishna Traders', 'the search box folds Shri/Shree');
  await page.click('#near-me');
  await page.waitForFunction(() => document.querySelectorAll('#client-list [data-client]').length === 2);
  const order = await page.$$eval('#client-list strong', (items) => items.map((i) => i.textContent));
  assert.deepEqual(order, ['Shree Krishna Traders', 'Far Away Agencies'], 'nearest first');
  await page.click(`[data-client="${near.id}"]`);
  await page.waitForSelector(`[data-reach=call][data-contact="${contact.id}"]`);
  assert.equal(await page.getAttribute(`[data-reach=call][data-contact="${contact.id}"]`, 'href'), 'tel:+919823055555');
  assert.ok(await page.$('[data-reach=call][href="tel:+919822011111"]'), 'a further phone number can be called too');
  const facts = await page.textContent('#view');
  assert.ok(facts.includes('Godown: Gultekdi, Pune') && facts.includes('Credit class: A'), facts);

  await context.setOffline(true);
  await page.$eval(`[data-reach=call][data-contact="${contact.id}"]`, (link) => {
    link.addEventListener('click', (e) => e.preventDefault(), { once: true });
    link.click();
  });
  await page.waitForSelector('#outcome-form');
  await page.selectOption('#outcome-choice', 'call back');
  await page.fill('#outcome-notes', 'Wants 20 bags of urea next Monday');
  await page.click('#outcome-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#sync-text')?.textContent.startsWith('1 waiting'));
  await context.setOffline(false);
  await page.waitForFunction(() => document.querySelector('#sync-text')?.textContent.startsWith('0 waiting'), null, { timeout: 20000 });
  await context.close();

  const manager = await fetch(`${server.base}/api/v1/sessions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(MANAGER),
  });
  const cookie = sessionCookie(manager);
  const timeline = await (await fetch(`${server.base}/api/v1/clients/${near.id}/timeline`, { headers: { cookie } })).json();
  assert.equal(timeline.length, 1);
  assert.equal(timeline[0].kind, 'call');
  assert.equal(timeline[0].outcome, 'call back');
  assert.equal(timeline[0].contact_name, 'Mahesh Deshpande');
  assert.equal(timeline[0].body, 'Wants 20 bags of urea next Monday');

  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const consolePage = await consoleSignIn(desk, server.base, MANAGER);
  await consolePage.goto(`${server.base}/console/clients/${near.id}`);
  const shown = await consolePage.textContent('main');
  assert.ok(shown.includes('Wants 20 bags of urea next Monday') && shown.includes('Mahesh Deshpande'), 'on the console timeline');
  await desk.close();
});

test('a manager adds a client in the console, is found at once, and a taken code is named in the page', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await consoleSignIn(context, server.base, MANAGER);
  await page.goto(`${server.base}/console/clients`);
  await page.fill('#name', 'Om Sai Agro Centre');
  await page.fill('#code', 'NSK-9');
  await page.fill('#phone', '98220 40404');
  // The position is picked on the map, not typed: a click drops the pin and fills in the coordinates.
  await page.waitForSelector('#map.leaflet-container');
  await page.click('#map', { position: { x: 200, y: 120 } });
  await page.waitForSelector('#map .leaflet-marker-icon');
  const picked = [Number(await page.inputValue('#latitude')), Number(await page.inputValue('#longitude'))];
  assert.ok(Math.abs(picked[0] - 18.5) < 1 && Math.abs(picked[1] - 73.9) < 1, `placed near the company's clients: ${picked}`);
  await page.click('button:has-text("Add client")');
  await page.waitForURL(/\/console\/clients\/[0-9a-f-]{36}$/);
  assert.equal(await page.textContent('h1'), 'Om Sai Agro Centre');
  const id = page.url().split('/').pop();
  const stored = await page.evaluate(async (url) => (await fetch(url)).json(), `${server.base}/api/v1/clients/${id}`);
  assert.deepEqual([stored.location.latitude, stored.location.longitude], picked, 'the picked position is the client\'s');
  await page.goto(`${server.base}/console/clients?q=om%20sai`);
  assert.ok(await page.isVisible('a:has-text("Om Sai Agro Centre")'), 'the new client is found by its words at once');
  await page.goto(`${server.base}/console/clients`);
  await page.fill('#name', 'Another Sai Centre');
  await page.fill('#code', 'NSK-9');
  await page.click('button:has-text("Add client")');
  const alert = await page.textContent('p.error[role=alert]');
  assert.match(alert, /Code/i, alert);
  assert.match(alert, /already used by another client/, alert);
  await page.goto(`${server.base}/console/clients?q=another%20sai`);
  assert.equal(await page.locator('a:has-text("Another Sai Centre")').count(), 0, 'the refused client was not stored');
  await context.close();
});

test('an admin imports a CSV of clients in the console: preview, errors, confirm', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await consoleSignIn(context, server.base);
  await page.goto(`${server.base}/console/clients`);
  await page.click('a:has-text("Import")');
  const csv = 'Shop Name,Mobile No.,Area,Owner\nGanesh Kirana,98200 12121,Hadapsar,vikram.singh@sharma-agro.in\n'
    + 'Laxmi Traders,98200 13131,Kothrud,deepa.iyer@sharma-agro.in\nNo Phone Shop,123,Baner,\n';
  await page.setInputFiles('#file', { name: 'outlets.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.click('button:has-text("Preview")');
  await page.waitForSelector('text=2 ready to import');
  assert.ok(await page.isVisible('td:has-text("is not a valid phone number")'), 'the bad row is shown with its problem');
  assert.equal(await page.inputValue('#map_phone'), 'Mobile No.');
  await page.click('button:has-text("Import 2 clients")');
  await page.waitForSelector('text=Nothing was imported');
  await page.check('input[name=commit_valid_rows]');
  await page.click('button:has-text("Import 2 clients")');
  await page.waitForSelector('text=2 clients imported');
  assert.ok(await page.isVisible('a:has-text("Ganesh Kirana")'));

  await page.fill('#q', 'lakshmi');
  await page.click('form[role=search] button[type=submit]');
  await page.waitForFunction(() => document.querySelector('caption')?.textContent === '1 best match for “lakshmi”');
  assert.ok(await page.isVisible('a:has-text("Laxmi Traders")'), 'Lakshmi finds Laxmi');
  assert.equal(await page.getAttribute('a:has-text("Export CSV")', 'href'), '/api/v1/clients/export.csv?q=lakshmi');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Export CSV")')]);
  assert.ok(download.url().startsWith('blob:'), 'the page fetched the file itself, showing its progress');
  assert.match(download.suggestedFilename(), /\.csv$/);
  const exported = await (async () => { const chunks = []; for await (const c of await download.createReadStream()) chunks.push(c); return Buffer.concat(chunks).toString(); })();
  assert.ok(exported.includes('Laxmi Traders') && !exported.includes('Ganesh Kirana'), 'the export is the list shown');
  await page.waitForFunction(() => !document.querySelector('.downloads + p[role=status]'));

  await page.click('form[role=search] a:text-is("Map")');
  await page.waitForURL(/\/console\/clients\/map\?q=lakshmi/);
  await page.fill('#q', '');
  await page.click('form[role=search] button[type=submit]');
  const before_ = await page.textContent('#map-status');
  assert.match(before_, /^\d+ clients in this view\.$/);
  const rows = await page.locator('#map-clients tbody tr').count();
  assert.equal(rows, Number(before_.split(' ')[0]), 'the list names every client of the view');
  for (let i = 0; i < 6; i += 1) await page.click('.leaflet-control-zoom-in');
  await page.waitForFunction((was) => document.getElementById('map-status').textContent !== was, before_);
  const after_ = await page.textContent('#map-status');
  const shown = await page.locator('#map-clients tbody tr').count();
  assert.ok(after_.startsWith('No client in this view') ? shown === 0 : Number(after_.split(' ')[0]) === shown, after_);
  assert.ok(shown < rows, 'zooming in asks for the clients of the smaller view');
  await context.close();
});

test('an enquiry from the company website\'s form becomes an assigned lead in the console', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const console_ = await consoleSignIn(context, server.base);

  // The company's website: a page of its own origin with the snippet pasted in.
  let snippet = '';
  const website = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>Sharma Agro</title><h1>Contact us</h1>${snippet}`);
  });
  await new Promise((resolve) => website.listen(0, '127.0.0.1', resolve));
  const site = `http://127.0.0.1:${website.address().port}`;
  try {
    await console_.goto(`${server.base}/console/settings/lead-form`);
    await console_.check('input[name=enabled]');
    await console_.fill('#allowed_origins', site);
    await console_.click('form[action="/console/settings/lead-form"] button[type=submit]');
    snippet = await console_.inputValue('#snippet');
    assert.ok(snippet.includes('/api/v1/public/leads/'), snippet);

    const visitor = await context.newPage();
    await visitor.goto(site);
    await visitor.fill('input[name=name]', 'Website Enquiry Traders');
    await visitor.fill('input[name=phone]', '98230 77777');
    await visitor.fill('input[name=city]', 'Hadapsar');
    await visitor.fill('textarea[name=message]', 'Need 50 bags of DAP');
    await visitor.click('button:has-text("Send enquiry")');
    await visitor.waitForSelector('text=Your enquiry has reached us');

    // A bot fills the hidden field: it is thanked the same way and nothing is stored.
    await visitor.goto(site);
    await visitor.fill('input[name=name]', 'Cheap Followers Bot');
    await visitor.fill('input[name=phone]', '98230 66666');
    await visitor.$eval('input[name=website]', (input) => { input.value = 'http://spam.example'; });
    await visitor.click('button:has-text("Send enquiry")');
    await visitor.waitForSelector('text=Your enquiry has reached us');

    // The same form copied onto a website that is not on the allow-list is refused.
    await visitor.goto(site.replace('127.0.0.1', 'localhost'));
    await visitor.fill('input[name=name]', 'Copied Form Shop');
    await visitor.fill('input[name=phone]', '98230 55555');
    await visitor.click('button:has-text("Send enquiry")');
    await visitor.waitForSelector('text=this form does not take enquiries from this website');

    await console_.goto(`${server.base}/console/clients?status=lead`);
    const row = console_.locator('tr', { hasText: 'Website Enquiry Traders' });
    const owners = (await row.locator('td').nth(5).textContent()).trim();
    assert.ok(owners.length > 0 && owners !== '—', `the lead is assigned: ${owners}`);
    assert.equal(await console_.locator('tr', { hasText: 'Cheap Followers Bot' }).count(), 0);
    assert.equal(await console_.locator('tr', { hasText: 'Copied Form Shop' }).count(), 0);
  } finally {
    website.close();
    await context.close();
  }
});
