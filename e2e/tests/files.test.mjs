// Photos, a voice note and a selfie from the field app: the company asks for a selfie at the start of the
// day, the employee takes one (camera file input), checks in at a client, adds two photos and records a
// voice note (Chromium's fake microphone) and checks out, all offline; once back online the files follow the
// report, and the manager sees the selfie, the photos and the voice note on the employee's day.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, PHONE, appSignIn, consoleSignIn, adminApi, FIELD, MANAGER } from '../harness.mjs';

const HERE = { latitude: 18.5204, longitude: 73.8567, accuracy: 10 };

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

/** A real JPEG drawn in the browser: a coloured 2400 × 1800 picture, as a phone camera would give. */
async function photo(page, colour) {
  const base64 = await page.evaluate(async (fill) => {
    const canvas = new OffscreenCanvas(2400, 1800);
    const context = canvas.getContext('2d');
    context.fillStyle = fill;
    context.fillRect(0, 0, 2400, 1800);
    context.fillStyle = '#fff';
    context.fillRect(200, 200, 800, 400);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text);
  }, colour);
  return { name: `${colour.slice(1)}.jpg`, mimeType: 'image/jpeg', buffer: Buffer.from(base64, 'base64') };
}

test('a selfie, two photos and a voice note travel from the phone to the manager', async () => {
  const { call, field } = await adminApi(server.base);
  await call('PATCH', '/api/v1/company/activity-settings', { selfie_required: true });
  const client = await call('POST', '/api/v1/clients', { name: 'Om Sai Krishi Seva', owner_ids: [field.id], location: { latitude: HERE.latitude, longitude: HERE.longitude } });

  const context = await browser.newContext({ ...PHONE, geolocation: HERE, permissions: ['geolocation', 'camera', 'microphone'] });
  const page = await context.newPage();
  await appSignIn(page, server.base, FIELD);
  for (const permission of ['location', 'camera', 'microphone']) {
    await page.click(`[data-grant=${permission}]`);
    await page.waitForSelector(`[data-revoke=${permission}]`);
  }
  await page.click('#done');

  await page.waitForSelector('label[for=selfie]');
  await page.setInputFiles('#selfie', await photo(page, '#c0392b'));
  await page.waitForSelector('#end-day');

  await page.click('#to-clients');
  await page.fill('#client-q', 'Om Sai');
  await page.click('#client-search button[type=submit]');
  await page.click(`[data-client="${client.id}"]`);
  await page.click('#check-in');
  await page.waitForSelector('#visit-report');
  await context.setOffline(true);
  await page.setInputFiles('#visit-photo', [await photo(page, '#27ae60'), await photo(page, '#2980b9')]);
  await page.waitForFunction(() => document.querySelectorAll('#visit-photos img').length === 2);
  await page.click('#voice-record');
  await page.waitForFunction(() => document.querySelector('#voice-record')?.textContent.includes('Stop'));
  await page.waitForTimeout(1500);
  await page.click('#voice-record');
  await page.waitForSelector('#visit-voice audio');

  await page.selectOption('#visit-outcome', 'Order taken');
  await page.click('#visit-report button[type=submit]');
  await page.waitForSelector('#start-day, #end-day');
  await page.waitForFunction(() => document.querySelector('#sync-text')?.textContent.match(/files? to upload/));
  await context.setOffline(false);
  await page.click('#sync-now');
  await page.waitForFunction(() => !document.querySelector('#sync-text')?.textContent.match(/files? to upload/), null, { timeout: 20000 });

  const manager = await browser.newContext();
  const consolePage = await consoleSignIn(manager, server.base, MANAGER);
  const day = new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Kolkata' });
  await consolePage.goto(`${server.base}/console/people/${field.id}/day?day=${day}`);
  const row = consolePage.locator('tr', { hasText: 'Om Sai Krishi Seva' });
  await row.locator('img.thumb').nth(1).waitFor();
  assert.equal(await row.locator('img.thumb').count(), 2);
  assert.equal(await row.locator('audio').count(), 1);
  const sizes = await consolePage.$$eval('img.thumb', (images) => Promise.all(images.map(async (img) => {
    await img.decode();
    return [img.naturalWidth, img.naturalHeight];
  })));
  assert.deepEqual(sizes, [[1280, 960], [1280, 960], [1280, 960]], 'the console shows previews of at most 1280 px');
  const originals = await consolePage.$$eval('a > img.thumb', (images) => Promise.all(images.map(async (img) => {
    const original = new Image();
    original.src = img.parentElement.href;
    await original.decode();
    return [original.naturalWidth, original.naturalHeight];
  })));
  assert.deepEqual(originals, [[1600, 1200], [1600, 1200], [1600, 1200]], 'selfie and photos arrive shrunk to 1600 px');
  const audio = await row.locator('audio').getAttribute('src');
  const served = await consolePage.request.get(`${server.base}${audio}`);
  assert.equal(served.status(), 200);
  assert.equal(served.headers()['content-type'], 'audio/webm');
  assert.ok((await served.body()).length > 1000, 'the voice note holds sound');
  await manager.close();
  await context.close();
});

test('an outlet found on the beat is added in the app, offline, with its shop front, and reaches the console', async () => {
  const context = await browser.newContext({ ...PHONE, geolocation: { ...HERE, latitude: 18.5801 }, permissions: ['geolocation', 'camera'] });
  const page = await context.newPage();
  await appSignIn(page, server.base, FIELD);
  await page.waitForSelector('#done');
  for (const permission of ['location', 'camera']) {
    const grant = page.locator(`[data-grant=${permission}]`);
    if (await grant.count()) {
      await grant.click();
      await page.waitForSelector(`[data-revoke=${permission}]`);
    }
  }
  await page.click('#done');
  await page.click('#to-clients');
  await page.click('#new-outlet');
  await page.waitForSelector('#outlet-form');
  await page.waitForFunction(() => document.querySelector('#outlet-position')?.textContent.includes('±'));
  await context.setOffline(true);
  await page.click('#outlet-form button[type=submit]');
  assert.match(await page.textContent('#outlet-error'), /Shop name is needed/, 'the missing name is named in the form');
  await page.fill('#outlet-name', 'Laxmi Kirana Stores');
  await page.fill('#outlet-owner', 'Ramesh Patil');
  await page.fill('#outlet-phone', '+919822334455');
  await page.setInputFiles('#outlet-photo', await photo(page, '#8e44ad'));
  await page.waitForSelector('#outlet-photos img');
  const thumb = await page.locator('#outlet-photos img').boundingBox();
  assert.ok(thumb.width <= 100 && thumb.height <= 100, `the shop front shows as a thumbnail, not ${thumb.width} px wide`);
  await page.click('#outlet-form button[type=submit]');
  await page.waitForSelector('#client-list');
  assert.match(await page.textContent('#view'), /Laxmi Kirana Stores is saved/);
  await page.waitForFunction(() => document.querySelector('#sync-text')?.textContent.includes('1 file to upload'));
  await context.setOffline(false);
  await page.click('#to-home');
  await page.click('#sync-now');
  await page.waitForFunction(() => {
    const text = document.querySelector('#sync-text')?.textContent || '';
    return text.startsWith('0 waiting') && text.includes('last sent') && !/files? to upload/.test(text);
  }, null, { timeout: 20000 });

  const desk = await browser.newContext();
  const consolePage = await consoleSignIn(desk, server.base, MANAGER);
  await consolePage.goto(`${server.base}/console/clients?q=Laxmi`);
  await consolePage.click('a:has-text("Laxmi Kirana Stores")');
  await consolePage.waitForSelector('dl.facts');
  const facts = await consolePage.textContent('dl.facts');
  assert.match(facts, /\+919822334455/);
  assert.match(facts, /Shop front/);
  await consolePage.locator('dd.attachments img.thumb').waitFor();
  assert.match(await consolePage.textContent('body'), /Ramesh Patil/, 'the owner is the first contact');
  await desk.close();
  await context.close();
});
