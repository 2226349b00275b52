// A field employee finds a client near them, calls a contact, records the outcome offline, and the
// manager sees it on the client's timeline once the phone is back online.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, PHONE, appSignIn, adminApi, FIELD } from '../harness.mjs';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('client near me → call → outcome offline → on the manager\'s timeline', async () => {
  const { call, field } = await adminApi(server.base);
  const near = await call('POST', '/api/v1/clients', {
    name: 'Shree Krishna Traders', phone: '+91 20 2612 3456', owner_ids: [field.id],
    location: { latitude: 18.5210, longitude: 73.8570 }, address: 'Market Yard, Pune',
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
  await page.click('#near-me');
  await page.waitForSelector('#client-list [data-client]');
  const order = await page.$$eval('#client-list strong', (items) => items.map((i) => i.textContent));
  assert.deepEqual(order, ['Shree Krishna Traders', 'Far Away Agencies'], 'nearest first');
  await page.click(`[data-client="${near.id}"]`);
  await page.waitForSelector(`[data-reach=call][data-contact="${contact.id}"]`);
  assert.equal(await page.getAttribute(`[data-reach=call][data-contact="${contact.id}"]`, 'href'), 'tel:+919823055555');

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
    body: JSON.stringify({ company: 'sharma-agro', login: 'anil.kulkarni@sharma-agro.in', password: 'manager-demo-2026' }),
  });
  const cookie = manager.headers.get('set-cookie').split(';')[0];
  const timeline = await (await fetch(`${server.base}/api/v1/clients/${near.id}/timeline`, { headers: { cookie } })).json();
  assert.equal(timeline.length, 1);
  assert.equal(timeline[0].kind, 'call');
  assert.equal(timeline[0].outcome, 'call back');
  assert.equal(timeline[0].contact_name, 'Mahesh Deshpande');
  assert.equal(timeline[0].body, 'Wants 20 bags of urea next Monday');
});
