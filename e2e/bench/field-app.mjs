// Field-app figures: app-shell transfer size (gzip), first render on a throttled 3G profile, and the
// time to sync 5,000 records queued during three days offline. Prints figures and ratios to the targets.
// Run: cargo build --release && OUTFIELD_BINARY=target/release/outfield npm run bench --prefix e2e

import { request } from 'node:http';
import { startServer, launch, PHONE, appSignIn } from '../harness.mjs';

const SHELL = ['/app/', '/app/app.css', '/app/app.js', '/app/store.js', '/app/sync.js', '/app/i18n.js',
  '/app/i18n/en.json', '/app/manifest.webmanifest', '/app/icon.svg', '/app/sw.js'];

function compressedSize(base, path) {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => { bytes += chunk.length; });
      res.on('end', () => resolve(bytes));
    });
    req.on('error', reject);
    req.end();
  });
}

const server = await startServer();
const browser = await launch();
try {
  let shell = 0;
  for (const path of SHELL) shell += await compressedSize(server.base, path);
  console.log(`app shell transfer (gzip, ${SHELL.length} files): ${(shell / 1024).toFixed(1)} KB  (target < 150 KB, ratio ${(shell / 1024 / 150).toFixed(2)})`);

  const renders = [];
  for (let i = 0; i < 3; i++) {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    // Chrome DevTools' "Fast 3G" profile: 562.5 ms round trip, 1.44 Mbit/s down, 675 kbit/s up.
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 562.5, downloadThroughput: 180 * 1024, uploadThroughput: 84 * 1024 });
    const started = Date.now();
    await page.goto(`${server.base}/app/`);
    await page.waitForSelector('#company');
    renders.push(Date.now() - started);
    await context.close();
  }
  renders.sort((a, b) => a - b);
  const render = renders[1];
  console.log(`first render of the sign-in screen on Fast 3G, cold cache (median of 3): ${render} ms  (target < 2000 ms, ratio ${(render / 2000).toFixed(2)})`);

  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await appSignIn(page, server.base);
  await page.click('#done');
  await page.waitForSelector('#note-form');
  await context.setOffline(true);
  await page.evaluate(async () => {
    const store = await import('/app/store.js');
    const threeDaysAgo = Date.now() - 3 * 86_400_000;
    const records = [];
    for (let i = 0; i < 5000; i++) {
      records.push({ id: store.uuidv7(), kind: 'note', device_time: threeDaysAgo + i * 50_000, payload: { text: `Outlet visit ${i}: stock checked, order of ${i % 40} cartons` }, status: 'waiting' });
    }
    await store.putMany('outbox', records);
  });
  await context.setOffline(false);
  const took = await page.evaluate(async () => {
    const sync = await import('/app/sync.js');
    const started = performance.now();
    await sync.syncNow();
    const state = await sync.status();
    if (state.waiting !== 0) throw new Error(`${state.waiting} still waiting`);
    return performance.now() - started;
  });
  console.log(`sync of 5,000 queued records after three days offline: ${(took / 1000).toFixed(2)} s  (target < 5 s, ratio ${(took / 5000).toFixed(2)})`);
  await context.close();
} finally {
  await browser.close();
  server.stop();
}
