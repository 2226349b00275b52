// Starts a real `outfield serve --demo` (SQLite, or PostgreSQL when OUTFIELD_TEST_POSTGRES is set and
// OUTFIELD_E2E_BACKEND=postgres) and launches Debian's Chromium through playwright-core.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

export const BINARY = process.env.OUTFIELD_BINARY || new URL('../target/debug/outfield', import.meta.url).pathname;
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
export const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };
export const FIELD = { company: 'sharma-agro', login: 'deepa.iyer@sharma-agro.in', password: 'field-employee-demo-2026' };
export const ADMIN = { company: 'sharma-agro', login: 'priya.nair@sharma-agro.in', password: 'admin-demo-2026' };
export const MANAGER = { company: 'sharma-agro', login: 'anil.kulkarni@sharma-agro.in', password: 'manager-demo-2026' };

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

function databaseUrl() {
  if (process.env.OUTFIELD_E2E_BACKEND !== 'postgres') return null;
  const admin = process.env.OUTFIELD_TEST_POSTGRES;
  if (!admin) throw new Error('OUTFIELD_E2E_BACKEND=postgres needs OUTFIELD_TEST_POSTGRES to name the PostgreSQL server');
  const name = `outfield_test_e2e_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  execFileSync('psql', ['-q', '-d', admin, '-c', `CREATE DATABASE ${name}`]);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A running server with a demo company. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'outfield-e2e-'));
  const port = await freePort();
  const args = ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dir];
  const url = databaseUrl();
  if (url) args.push('--database-url', url);
  const child = spawn(BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OUTFIELD_LOG: 'error' } });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  let exited = null;
  child.on('exit', (code, signal) => { exited = signal || `exit code ${code}`; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`${BINARY} ${args.join(' ')} stopped before answering (${exited}):\n${stderr}`);
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* starting */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${BINARY} did not answer ${base}/healthz within 30 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    base,
    stop() { child.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); },
  };
}

export function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export function launchPersistent(dir, options = {}) {
  return chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, ...PHONE, ...options });
}

/** Counts calls to the browser's permission-bearing APIs, to prove none happen before consent. */
export const COUNT_PERMISSION_CALLS = () => {
  window.__calls = { geolocation: 0, getUserMedia: 0 };
  const geo = navigator.geolocation;
  for (const name of ['getCurrentPosition', 'watchPosition']) {
    const original = geo[name].bind(geo);
    geo[name] = (...args) => { window.__calls.geolocation++; return original(...args); };
  }
  if (navigator.mediaDevices) {
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (...args) => { window.__calls.getUserMedia++; return original(...args); };
  }
};

/** Signs in to the field app through its form. */
export async function appSignIn(page, base, who = FIELD) {
  await page.goto(`${base}/app/`);
  await page.fill('#company', who.company);
  await page.fill('#login', who.login);
  await page.fill('#password', who.password);
  await page.click('button[type=submit]');
}

/** Signs in to the web console in a new page of `context`; the page is then on the console. */
export async function consoleSignIn(context, base, who = ADMIN) {
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.fill('#company', who.company);
  await page.fill('#login', who.login);
  await page.fill('#password', who.password);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/console/);
  return page;
}

/** The `outfield_session=…` pair a sign-in answer sets (it also sets the device cookie). */
export function sessionCookie(response) {
  return response.headers.getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('outfield_session='));
}

/** The API, as an admin, for checking what reached the server. */
export async function adminApi(base) {
  const response = await fetch(`${base}/api/v1/sessions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ company: ADMIN.company, login: ADMIN.login, password: ADMIN.password }),
  });
  const cookie = sessionCookie(response);
  const { csrf_token: csrf } = await response.json();
  const call = async (method, path, body) => {
    const r = await fetch(`${base}${path}`, {
      method, headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return r.status === 204 ? null : r.json();
  };
  const people = await call('GET', '/api/v1/people');
  const field = people.find((p) => p.email === FIELD.login);
  return { call, field };
}

/** Console pages a role opens, found from the demo's own links so every kind of page is covered. */
export async function consolePaths(page, base, admin) {
  const paths = ['/console', '/console/people', '/console/clients', '/console/clients/map', '/console/live', '/console/attendance',
    '/console/attendance/month', '/console/beats',
    '/console/reports/activity', '/console/privacy', '/console/account', '/console/location-corrections'];
  if (admin) paths.push('/console/settings', '/console/audit', '/console/people/new', '/console/clients/import',
    '/console/settings/clients', '/console/settings/field-activity', '/console/settings/lead-form');
  await page.goto(`${base}/console/people`);
  const person = await page.locator('a[href^="/console/people/"]').filter({ hasText: 'Vikram' }).first().getAttribute('href');
  paths.push(person, `${person}/day`, `${person}/plan`, `${person}/performance`);
  await page.goto(`${base}/console/clients`);
  const client = await page.locator('tbody a[href^="/console/clients/"]').first().getAttribute('href');
  paths.push(client);
  return paths;
}

/** Saves the console language of the signed-in person through the account page. */
export async function setLanguage(page, base, lang) {
  await page.goto(`${base}/console/account`);
  await page.selectOption('#language', lang);
  await page.click('form[action="/console/account/preferences"] button');
}
