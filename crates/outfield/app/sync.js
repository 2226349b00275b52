// The sync engine (protocol: docs/SYNC.md). Records wait in the outbox until the server answers for
// them: accepted or duplicate → removed; rejected → kept with the reason, never blocking the rest.
// Network failures retry with exponential backoff; a revoked token stops syncing and keeps the data.
// Files (photos, voice notes, selfies) go after the records that name them, one upload each, retried
// under the same id until the server has them.

import * as store from './store.js';

const BATCH = 500;
const MAX_BACKOFF_MS = 5 * 60 * 1000;
let running = null;
let backoff = 0;
let timer = null;
const listeners = new Set();

export const onChange = (listener) => listeners.add(listener);
const pulledListeners = new Set();
/** Listens for the end of each pull (after everything waiting was pushed): the server's view is fresh. */
export const onPulled = (listener) => pulledListeners.add(listener);
const changed = () => listeners.forEach((listener) => listener());

/** Adds a record to the outbox and sends it within `delay` ms (positions wait to travel in batches). */
export async function enqueue(kind, payload, delay = 0) {
  const record = { id: store.uuidv7(), kind, device_time: Date.now(), payload, status: 'waiting' };
  await store.put('outbox', record);
  changed();
  if (delay === 0 || !timer) syncSoon(delay);
  return record;
}

/** Schedules a sync after `delay` ms (coalescing requests). */
export function syncSoon(delay = 0) {
  clearTimeout(timer);
  timer = setTimeout(() => { timer = null; syncNow().catch(() => {}); }, delay);
}

async function api(path, options = {}) {
  const token = await store.get('meta', 'token');
  const response = await fetch(path, {
    ...options,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(options.headers || {}) },
  });
  if (response.status === 401) {
    await store.put('meta', true, 'revoked');
    changed();
    throw new Error('revoked');
  }
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

/** Pushes everything waiting, then pulls. Safe to call at any time; concurrent calls share one run. */
export function syncNow() {
  running ??= run().finally(() => { running = null; });
  return running;
}

async function run() {
  if (!(await store.get('meta', 'token')) || (await store.get('meta', 'revoked'))) return;
  try {
    await pushAll();
    await uploadFiles();
    await pull();
    pulledListeners.forEach((listener) => listener());
    backoff = 0;
    await store.put('meta', Date.now(), 'lastSync');
    await store.put('meta', null, 'lastError');
  } catch (error) {
    if (error.message === 'revoked') return;
    backoff = Math.min(backoff ? backoff * 2 : 2000, MAX_BACKOFF_MS);
    await store.put('meta', String(error.message || error), 'lastError');
    syncSoon(backoff);
  } finally {
    changed();
  }
}

async function pushAll() {
  for (;;) {
    const waiting = (await store.all('outbox')).filter((r) => r.status === 'waiting').sort((a, b) => (a.id < b.id ? -1 : 1));
    if (waiting.length === 0) return;
    const batch = waiting.slice(0, BATCH);
    const body = JSON.stringify({ records: batch.map(({ id, kind, device_time, payload }) => ({ id, kind, device_time, payload })) });
    const answer = await api('/api/v1/sync/push', { method: 'POST', body });
    const done = [];
    const rejected = [];
    for (const result of answer.results) {
      const record = batch[result.index];
      if (!record) continue;
      if (result.status === 'rejected') rejected.push({ ...record, status: 'rejected', reason: result.reason });
      else done.push(record.id);
    }
    await store.removeMany('outbox', done);
    await store.putMany('outbox', rejected);
    await markNotes(done, rejected);
    await store.put('meta', Date.now(), 'lastSent');
    await store.put('meta', answer.server_time - Date.now(), 'clockOffset');
    changed();
  }
}

async function uploadFiles() {
  const token = await store.get('meta', 'token');
  const waiting = (await store.all('files')).filter((f) => f.status === 'waiting').sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const file of waiting) {
    const response = await fetch(`/api/v1/files/${file.id}?purpose=${file.purpose}`, {
      method: 'PUT', body: file.blob, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    });
    if (response.status === 401) {
      await store.put('meta', true, 'revoked');
      throw new Error('revoked');
    }
    if (response.ok) {
      if (file.held) await store.put('files', { ...file, status: 'sent' });
      else await store.remove('files', file.id);
    } else if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      const problem = await response.json().catch(() => ({}));
      const reason = problem.errors?.[0]?.message || problem.title || `HTTP ${response.status}`;
      await store.put('files', { ...file, status: 'rejected', reason });
    } else {
      throw new Error(`HTTP ${response.status}`);
    }
    changed();
  }
}

async function markNotes(doneIds, rejected) {
  const notes = await store.all('notes');
  const byId = new Map(notes.map((n) => [n.id, n]));
  const updates = [];
  for (const id of doneIds) if (byId.has(id)) updates.push({ ...byId.get(id), status: 'sent' });
  for (const record of rejected) if (byId.has(record.id)) updates.push({ ...byId.get(record.id), status: 'rejected', reason: record.reason });
  if (updates.length) await store.putMany('notes', updates);
}

async function pull() {
  let cursor = (await store.get('meta', 'cursor')) || 0;
  for (;;) {
    const answer = await api(`/api/v1/sync/pull?cursor=${cursor}`);
    if (answer.notifications.length) await store.putMany('inbox', answer.notifications);
    cursor = answer.cursor;
    await store.put('meta', cursor, 'cursor');
    await store.put('meta', answer.privacy_notice, 'notice');
    await store.put('meta', answer.consents, 'serverConsents');
    await store.put('meta', answer.duty, 'serverDuty');
    if (!answer.more) return;
  }
}

/** Counts for the status line. */
export async function status() {
  const outbox = await store.all('outbox');
  const files = await store.all('files');
  return {
    waiting: outbox.filter((r) => r.status === 'waiting').length,
    rejected: outbox.filter((r) => r.status === 'rejected').length,
    files: files.filter((f) => f.status === 'waiting').length,
    rejectedFiles: files.filter((f) => f.status === 'rejected'),
    lastSent: await store.get('meta', 'lastSent'),
    lastError: await store.get('meta', 'lastError'),
    revoked: await store.get('meta', 'revoked'),
  };
}

addEventListener('online', () => { backoff = 0; syncSoon(0); });
