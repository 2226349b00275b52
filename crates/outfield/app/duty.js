// On duty: start and end of the day, private pauses, visits, and recording the position while on duty.
// A web app records only while it is open: the page offers to keep the screen awake, and the console shows
// silences as gaps. Nothing here touches location unless the employee allowed it in the app.

import * as store from './store.js';
import * as sync from './sync.js';
import * as media from './media.js';

const meta = (key) => store.get('meta', key);
const setMeta = (key, value) => store.put('meta', value, key);
/** Record sooner than the interval when the employee has moved this far (metres). */
const MOVED_M = 100;
/** Never two fixes closer in time than this. */
const MIN_GAP_MS = 5000;
/** Standing still stretches the interval by this factor. */
const STILL_FACTOR = 3;
let watch = null;
let wakeLock = null;
const listeners = new Set();

export const onChange = (listener) => listeners.add(listener);
const changed = () => listeners.forEach((listener) => listener());

/** The duty state kept on the phone: { on, since, paused, visit, lastFix, note }. */
export async function state() {
  return (await meta('duty')) || { on: false };
}

async function save(duty) {
  await setMeta('duty', duty);
  changed();
}

export async function locationAllowed() {
  return ((await meta('decisions')) || {}).location?.decision === 'granted';
}

/** The newest position the recording watch delivered, with when it arrived. */
let latest = null;
/** How old a position the watch delivered may be and still count as where the employee is now. */
const FRESH_MS = 10_000;

/**
 * A fresh position: the one the recording watch delivered in the last seconds, or one measured now —
 * never one the phone kept from before (the employee may have walked since). Null without permission or
 * without a fix within 15 s.
 */
export async function currentPosition() {
  if (!(await locationAllowed())) return null;
  if (latest && Date.now() - latest.at <= FRESH_MS) return latest.reading;
  return new Promise((resolve) => navigator.geolocation.getCurrentPosition(
    (p) => resolve(reading(p)), () => resolve(null), { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 }));
}

function reading(p) {
  return { latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy_m: Math.min(Math.max(p.coords.accuracy || 1, 0.5), 10000) };
}

function metres(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}

/** Starts the day, with the id of a selfie kept by media.js when the company asks for one. */
export async function startDay(selfie = null) {
  const position = await currentPosition();
  const payload = position ? { position } : {};
  if (selfie) payload.selfie = selfie;
  const record = await sync.enqueue('day_start', payload);
  await save({ on: true, since: record.device_time, paused: false, visit: null, lastFix: null });
  await resume();
}

export async function endDay() {
  stop();
  const position = await currentPosition();
  await sync.enqueue('day_end', position ? { position } : {});
  await save({ on: false, ended: Date.now() });
}

export async function pause() {
  stop();
  await sync.enqueue('pause_start', {});
  await save({ ...(await state()), paused: true });
}

export async function unpause() {
  await sync.enqueue('pause_end', {});
  await save({ ...(await state()), paused: false });
  await resume();
}

/**
 * Starts recording if on duty, not paused and allowed. Safe to call repeatedly, and called on every way
 * into an open day: app start, sign-in, consent, a permission allowed later, coming back online.
 */
export function resume() {
  resuming ??= startWatching().finally(() => { resuming = null; });
  return resuming;
}

/** The check of a resume under way, so that two ways in at once start one watch, not two. */
let resuming = null;

async function startWatching() {
  const duty = await state();
  if (!duty.on || duty.paused || !(await locationAllowed()) || watch !== null) return;
  watch = navigator.geolocation.watchPosition(record, () => {}, { enableHighAccuracy: true, maximumAge: 0, timeout: 60000 });
}

/** Stops recording at once (location revoked); the day itself stays open. */
export function suspend() {
  stop();
  changed();
}

function stop() {
  if (watch !== null) navigator.geolocation.clearWatch(watch);
  watch = null;
  latest = null;
}

async function record(position) {
  const here = reading(position);
  latest = { reading: here, at: Date.now() };
  const duty = await state();
  if (!duty.on || duty.paused || !(await locationAllowed())) return stop();
  const interval = ((await meta('activity'))?.fix_interval_seconds || 120) * 1000;
  const last = duty.lastFix;
  const now = Date.now();
  if (last) {
    const moved = metres(last, here);
    const due = moved < 30 ? interval * STILL_FACTOR : interval;
    if (now - last.at < MIN_GAP_MS || (moved < MOVED_M && now - last.at < due)) return;
  }
  const payload = { ...here };
  if (Number.isFinite(position.coords.speed)) payload.speed_mps = Math.min(Math.max(position.coords.speed, 0), 1000);
  if (Number.isFinite(position.coords.heading)) payload.heading = position.coords.heading % 360;
  const battery = await navigator.getBattery?.().catch(() => null);
  if (battery) payload.battery = battery.level;
  await sync.enqueue('fix', payload, 20000);
  await save({ ...duty, lastFix: { ...here, at: now } });
}

/**
 * When the app was out of sight on duty (the screen off, or another app in front): the browser gives it
 * no positions then, and the employee's own day says so. Kept on the phone for a day.
 */
export async function screenOff() {
  return (await meta('screenOff')) || [];
}

document.addEventListener('visibilitychange', async () => {
  if (!(await state()).on) return;
  const now = Date.now();
  const periods = (await screenOff()).filter((p) => (p.until ?? now) > now - 86400000);
  const open = periods.find((p) => p.until === null);
  if (document.visibilityState === 'hidden' && !open) periods.push({ from: now, until: null });
  if (document.visibilityState === 'visible' && open) open.until = now;
  await setMeta('screenOff', periods);
});

/** Keeps the screen on while on duty, so that the browser keeps giving positions. */
export async function keepAwake(on) {
  await setMeta('keepAwake', on);
  if (on && !wakeLock && 'wakeLock' in navigator) {
    wakeLock = await navigator.wakeLock.request('screen').catch(() => null);
    wakeLock?.addEventListener('release', () => { wakeLock = null; });
  } else if (!on && wakeLock) {
    await wakeLock.release();
    wakeLock = null;
  }
}

/**
 * Checks in at a client with a position measured now, and keeps the check-in's verdict as the server
 * will judge it (the same rule as `visits::verdict`), so that the employee sees it at once.
 */
export async function checkIn(client) {
  const position = await currentPosition();
  const record = await sync.enqueue('check_in', position ? { client_id: client.id, position } : { client_id: client.id });
  const radius = (await meta('activity'))?.visit_radius_m || 150;
  const judged = verdictOf(client.location, position, radius);
  await save({ ...(await state()), visit: { id: record.id, client_id: client.id, client_name: client.name, since: record.device_time, ...judged } });
}

/** The server's check-in rule: verified within the radius, out of range beyond it by more than the
 * fix's accuracy, unverified otherwise (and always when the fix is coarser than twice the radius). */
export function verdictOf(location, position, radius) {
  if (!location || !position) return { verdict: 'unverified', distance_m: null, accuracy_m: position?.accuracy_m ?? null };
  const distance = metres(location, position);
  const verdict = position.accuracy_m > 2 * radius ? 'unverified'
    : distance <= radius ? 'verified'
      : distance > radius + position.accuracy_m ? 'out_of_range' : 'unverified';
  return { verdict, distance_m: distance, accuracy_m: position.accuracy_m };
}

export async function checkOut(report) {
  const duty = await state();
  if (!duty.visit) return;
  const position = await currentPosition();
  const payload = { visit_id: duty.visit.id, ...report };
  if (position) payload.position = position;
  if (duty.visit.photos?.length) payload.photos = duty.visit.photos;
  if (duty.visit.voice) payload.voice_note = duty.visit.voice;
  await sync.enqueue('check_out', payload);
  await save({ ...duty, visit: null });
  await media.release([...(duty.visit.photos || []), duty.visit.voice].filter(Boolean));
}

/** Adds a kept photo to the open visit's report. */
export async function addVisitPhoto(id) {
  const duty = await state();
  if (!duty.visit) return;
  await save({ ...duty, visit: { ...duty.visit, photos: [...(duty.visit.photos || []), id] } });
}

/** Sets the open visit's voice note; returns the one it replaces (to be discarded). */
export async function setVisitVoice(id) {
  const duty = await state();
  if (!duty.visit) return null;
  await save({ ...duty, visit: { ...duty.visit, voice: id } });
  return duty.visit.voice || null;
}

/** Takes a photo or the voice note off the open visit's report. */
export async function removeVisitFile(id) {
  const duty = await state();
  if (!duty.visit) return;
  const photos = (duty.visit.photos || []).filter((p) => p !== id);
  const voice = duty.visit.voice === id ? null : duty.visit.voice;
  await save({ ...duty, visit: { ...duty.visit, photos, voice } });
}

/** Proposes the current position as the client's location; a manager approves it. */
export async function proposeLocation(clientId) {
  const position = await currentPosition();
  if (!position) return false;
  const duty = await state();
  const visit = duty.visit?.client_id === clientId ? duty.visit.id : null;
  await sync.enqueue('location_correction', { client_id: clientId, visit_id: visit, position });
  return true;
}

/**
 * Follows the server's view of the day after a sync: a day started on another phone (or before a
 * reinstall) is taken up here, and a day the server has ended (the company's automatic end of day) stops
 * recording. Records still waiting to be sent win: they are the newer truth.
 */
export async function reconcile() {
  const server = await meta('serverDuty');
  const waiting = (await store.all('outbox')).some((r) => r.status === 'waiting' && ['day_start', 'day_end', 'pause_start', 'pause_end'].includes(r.kind));
  if (waiting || server === undefined) return;
  const local = await state();
  if (server && !local.on) {
    await save({ on: true, since: server.start_device_time, paused: server.paused, visit: null, lastFix: null });
    await resume();
  } else if (!server && local.on) {
    stop();
    await save({ on: false, ended: Date.now() });
  }
}
