// The team's beat planner as a manager uses it: a planned client dragged from one person's day to
// another's is on that person's plan after the page reloads; the Move page does the same by keyboard.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, consoleSignIn, MANAGER } from '../harness.mjs';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

const row = (page, name) => page.locator('.beat-planner tbody tr', { has: page.locator('th', { hasText: name }) });

test('a planned client dragged to another person and day moves there; the Move page does it without a mouse', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await consoleSignIn(context, server.base, MANAGER);
  await page.goto(`${server.base}/console/beats`);
  const vikram = row(page, 'Vikram Singh');
  const deepa = row(page, 'Deepa Iyer');
  const chip = vikram.locator('td').first().locator('li').first();
  const client = (await chip.textContent()).replace(/[⠿↻]|Move/g, '').trim();
  const tuesday = deepa.locator('td').nth(1);
  assert.equal(await tuesday.locator('li').count(), 0, 'Deepa has nothing planned');
  await chip.dragTo(tuesday);
  await page.waitForLoadState('load');
  await page.waitForFunction(
    (name) => [...document.querySelectorAll('.beat-planner tbody tr')]
      .find((tr) => tr.querySelector('th')?.textContent.includes('Deepa Iyer'))
      ?.querySelectorAll('td')[1]?.textContent.includes(name),
    client,
  );
  assert.ok(!(await vikram.locator('td').first().textContent()).includes(client), 'no longer on Vikram\'s Monday');

  const back = row(page, 'Deepa Iyer').locator('td').nth(1).locator('li a.move').first();
  await back.click();
  await page.waitForSelector('#person_id');
  await page.selectOption('#person_id', { label: 'Vikram Singh' });
  await page.selectOption('#day', { index: 0 });
  await page.click('form.card button[type=submit]');
  await page.waitForURL(/\/console\/beats\?week=/);
  assert.ok((await row(page, 'Vikram Singh').locator('td').first().textContent()).includes(client), 'back on Vikram\'s Monday');
  await context.close();
});
