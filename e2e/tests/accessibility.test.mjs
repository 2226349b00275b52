// axe-core over every console page and the field app's views, as each role, at desk and phone size, in
// English and Hindi: no serious or critical violation anywhere.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, launch, PHONE, ADMIN, MANAGER, FIELD, consoleSignIn, appSignIn, consolePaths, setLanguage } from '../harness.mjs';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

/** The serious and critical violations axe finds on the page, one line each. */
async function seriousViolations(page) {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) ×${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

for (const [role, who, admin] of [['admin', ADMIN, true], ['manager', MANAGER, false]]) {
  test(`console pages have no serious axe violation (${role}, 1280 and 360 px, English and Hindi)`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await consoleSignIn(context, server.base, who);
    const paths = await consolePaths(page, server.base, admin);
    const found = [];
    for (const lang of ['en', 'hi']) {
      await setLanguage(page, server.base, lang);
      for (const width of [1280, 360]) {
        await page.setViewportSize({ width, height: 900 });
        for (const path of paths) {
          const response = await page.goto(`${server.base}${path}`);
          assert.equal(response.status(), 200, path);
          for (const line of await seriousViolations(page)) found.push(`${lang} ${width}px ${path}: ${line}`);
        }
      }
    }
    await context.close();
    assert.deepEqual(found, []);
  });
}

test('the sign-in page, a field employee\'s console and the field app\'s views have no serious axe violation', async () => {
  const found = [];
  const desk = await browser.newContext();
  const signIn = await desk.newPage();
  for (const lang of ['en', 'hi']) {
    await signIn.goto(`${server.base}/sign-in?lang=${lang}`);
    for (const line of await seriousViolations(signIn)) found.push(`sign-in ${lang}: ${line}`);
  }
  const vikram = await consoleSignIn(desk, server.base, { ...FIELD, login: 'vikram.singh@sharma-agro.in' });
  await vikram.setViewportSize({ width: 360, height: 740 });
  for (const path of ['/console', '/console/clients', '/console/attendance', '/console/reports/activity', '/console/account']) {
    const response = await vikram.goto(`${server.base}${path}`);
    assert.equal(response.status(), 200, path);
    for (const line of await seriousViolations(vikram)) found.push(`field employee 360px ${path}: ${line}`);
  }
  await desk.close();
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${server.base}/app/`);
  await page.waitForSelector('#signin');
  for (const line of await seriousViolations(page)) found.push(`app sign-in: ${line}`);
  await appSignIn(page, server.base, FIELD);
  await page.waitForSelector('#done');
  for (const line of await seriousViolations(page)) found.push(`app consent: ${line}`);
  await page.click('#done');
  await page.waitForSelector('#to-settings');
  for (const line of await seriousViolations(page)) found.push(`app today: ${line}`);
  await page.click('#to-settings');
  await page.waitForSelector('#language');
  for (const line of await seriousViolations(page)) found.push(`app settings: ${line}`);
  await context.close();
  assert.deepEqual(found, []);
});
