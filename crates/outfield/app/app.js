// The Outfield field app: sign-in, consent first, the working day (attendance, location on duty,
// visits), clients, offline notes, notifications, settings.

import * as store from './store.js';
import * as sync from './sync.js';
import * as duty from './duty.js';
import * as media from './media.js';
import { t, use, language, word } from './i18n.js';

const VERSION = '0.1.0';
const view = document.getElementById('view');
const statusBar = document.getElementById('status');
const banner = document.getElementById('banner');
const who = document.getElementById('who');

/** Permissions in the order they are asked, with how the browser is asked after an in-app grant. */
const PERMISSIONS = [
  { name: 'location', ask: () => new Promise((resolve) => navigator.geolocation.getCurrentPosition(() => resolve(true), () => resolve(false), { timeout: 15000 })) },
  { name: 'camera', ask: () => mediaAllowed({ video: true }) },
  { name: 'microphone', ask: () => mediaAllowed({ audio: true }) },
  { name: 'contacts', ask: async () => true },
  { name: 'files', ask: async () => true },
];

async function mediaAllowed(constraints) {
  try {
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    stream.getTracks().forEach((track) => track.stop());
    return true;
  } catch {
    return false;
  }
}

const escape = (text) => String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const time = (ms) => new Date(ms).toLocaleTimeString(language === 'hi' ? 'hi-IN' : 'en-IN', { hour: '2-digit', minute: '2-digit' });
const meta = (key) => store.get('meta', key);
const setMeta = (key, value) => store.put('meta', value, key);

/** Counts the screens shown, so that an answer that arrives after the employee moved on never takes
 * them back to where they were (see `current`). */
let screen = 0;

/** A check that the screen shown when it was made is still the one showing. */
const current = () => { const mine = screen; return () => mine === screen; };

function show(html, bind) {
  screen += 1;
  view.innerHTML = html;
  bind?.();
  window.scrollTo(0, 0);
  view.querySelector('h1')?.focus?.({ preventScroll: true });
}

const on = (selector, event, handler) => view.querySelector(selector)?.addEventListener(event, handler);

// ---- sign-in --------------------------------------------------------------------------------------

/** The sign-in screen, which is also the app's first screen: the language can be chosen here, before
 * anything else is read, and what was typed stays when sign-in fails. */
async function signInView(error = '', typed = {}) {
  who.textContent = '';
  const company = typed.company ?? ((await meta('company')) || '');
  show(`
    <nav class="languages" aria-label="Language / भाषा">
      <button type="button" class="link" data-lang="en" lang="en" aria-pressed="${language === 'en'}">English</button>
      <button type="button" class="link" data-lang="hi" lang="hi" aria-pressed="${language === 'hi'}">हिन्दी</button>
    </nav>
    <h1>${t('signin.title')}</h1>
    ${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
    <form id="signin">
      <label for="company">${t('signin.company')}</label>
      <input id="company" name="company" required autocapitalize="none" value="${escape(company)}">
      <label for="login">${t('signin.login')}</label>
      <input id="login" name="login" required autocapitalize="none" autocomplete="username" value="${escape(typed.login ?? '')}">
      <label for="password">${t('signin.password')}</label>
      <input id="password" name="password" type="password" required autocomplete="current-password">
      <button class="wide" type="submit">${t('signin.submit')}</button>
    </form>`, () => {
    on('#signin', 'submit', signIn);
    view.querySelectorAll('[data-lang]').forEach((button) => button.addEventListener('click', async () => {
      const form = new FormData(view.querySelector('#signin'));
      await setMeta('language', button.dataset.lang);
      await setMeta('languageChosen', true);
      await use(button.dataset.lang);
      signInView(error && '', { company: form.get('company'), login: form.get('login') });
    }));
  });
}

async function signIn(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = {
    company: form.get('company').trim(), login: form.get('login').trim(), password: form.get('password'),
    device_label: deviceLabel(),
  };
  const typed = { company: form.get('company'), login: form.get('login') };
  let response;
  try {
    response = await fetch('/api/v1/device-tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    return signInView(t('signin.offline'), typed);
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    return signInView(response.status === 429 ? problem.title : t('signin.wrong'), typed);
  }
  const issued = await response.json();
  await setMeta('token', issued.token);
  await setMeta('company', body.company);
  await setMeta('revoked', false);
  const authorization = { authorization: `Bearer ${issued.token}` };
  const me = await fetch('/api/v1/me', { headers: authorization }).then((r) => r.json());
  await setMeta('me', me);
  if (await meta('languageChosen')) {
    // The language picked on the first screen is the person's choice: the account remembers it.
    await fetch('/api/v1/me/preferences', { method: 'PATCH', headers: { ...authorization, 'content-type': 'application/json' }, body: JSON.stringify({ language }) }).catch(() => {});
    await setMeta('languageChosen', false);
  } else if (me.language && me.language !== language) {
    await setMeta('language', me.language);
    await use(me.language);
  }
  await sync.syncNow();
  route();
}

function deviceLabel() {
  const match = navigator.userAgent.match(/Android [\d.]+; ([^;)]+)/);
  return (match ? match[1] : navigator.platform || 'Browser').trim().slice(0, 80);
}

// ---- consent --------------------------------------------------------------------------------------

async function consentView() {
  const notice = (await meta('notice')) || { version: 1, body: '' };
  const decisions = (await meta('decisions')) || {};
  const seen = (await meta('consentVersion')) || 0;
  const changedNotice = seen > 0 && notice.version > seen;
  show(`
    <h1 tabindex="-1">${t('consent.title')}</h1>
    ${changedNotice ? `<p class="error">${t('consent.changed')}</p>` : ''}
    <p>${t('consent.intro')}</p>
    <details><summary>${t('consent.notice', { version: notice.version })}</summary><p class="notice" lang="${notice.translations?.[language] ? language : 'en'}">${escape(notice.translations?.[language] || notice.body)}</p></details>
    ${PERMISSIONS.map(({ name }) => permissionCard(name, decisions[name])).join('')}
    <button class="wide" id="done">${t('consent.continue')}</button>`, () => {
    view.querySelectorAll('[data-grant]').forEach((b) => b.addEventListener('click', () => decide(b.dataset.grant, 'granted', consentView)));
    view.querySelectorAll('[data-revoke]').forEach((b) => b.addEventListener('click', () => decide(b.dataset.revoke, 'revoked', consentView)));
    on('#done', 'click', async () => { await setMeta('consentVersion', notice.version); route(); });
  });
}

function permissionCard(name, decision) {
  const state = decision?.decision;
  const label = state === 'granted' ? t('consent.granted') : state === 'revoked' ? t('consent.revoked') : t('consent.undecided');
  const blocked = decision?.blocked ? `<p class="error small">${t('consent.blocked')}</p>` : '';
  return `<section class="card" data-permission="${name}">
    <h3>${t(`perm.${name}.title`)}</h3>
    <p class="small">${t(`perm.${name}.why`)}</p>
    <p class="small muted">${t(`perm.${name}.who`)}</p>
    <p class="small">${t('consent.state')}: <span class="state-${state || 'undecided'}">${label}</span></p>${blocked}
    <div class="row">
      ${state === 'granted'
        ? `<button class="secondary" data-revoke="${name}">${t('consent.revoke')}</button>`
        : `<button data-grant="${name}">${t('consent.allow')}</button>`}
    </div></section>`;
}

/** Records an in-app decision, and only after a grant asks the browser for the permission. */
async function decide(name, decision, then) {
  const notice = (await meta('notice')) || { version: 1 };
  await sync.enqueue('consent', { permission: name, decision, policy_version: notice.version });
  const decisions = (await meta('decisions')) || {};
  decisions[name] = { decision, policy_version: notice.version, blocked: false };
  await setMeta('decisions', decisions);
  if (decision === 'granted') {
    const allowed = await PERMISSIONS.find((p) => p.name === name).ask();
    decisions[name].blocked = !allowed;
    await setMeta('decisions', decisions);
  }
  if (name === 'location') await (decision === 'granted' ? duty.resume() : duty.suspend());
  then();
}

// ---- home -----------------------------------------------------------------------------------------

async function homeView() {
  const notes = (await store.all('notes')).sort((a, b) => b.device_time - a.device_time);
  const inbox = (await store.all('inbox')).sort((a, b) => b.seq - a.seq);
  show(`
    <div class="nav"><button id="to-clients" class="secondary">${t('nav.clients')}</button><button id="to-days" class="secondary">${t('nav.days')}</button><button id="to-settings" class="secondary">${t('nav.settings')}</button></div>
    <h1 tabindex="-1">${t('home.today')}</h1>
    <section class="card" id="duty"></section>
    <h2>${t('duty.plan')}</h2>
    <ul class="plain" id="plan">${planItems(await meta('plan'))}</ul>
    <h2>${t('tasks.due')}</h2>
    <ul class="plain" id="tasks">${taskItems(await meta('tasks'))}</ul>
    <h2>${t('home.notes')}</h2>
    <form id="note-form">
      <label for="note">${t('home.newNote')}</label>
      <textarea id="note" name="note" required maxlength="4000"></textarea>
      <button class="wide" type="submit">${t('home.save')}</button>
    </form>
    <ul class="plain" id="notes">${notes.map(noteItem).join('') || `<li class="muted">${t('home.noNotes')}</li>`}</ul>
    <h2>${t('home.alerts')}</h2>
    <ul class="plain" id="alerts">${inbox.map((n) => `<li><strong>${escape(n.title)}</strong><br><span class="small">${escape(n.body)}</span></li>`).join('') || `<li class="muted">${t('home.noAlerts')}</li>`}</ul>`, () => {
    on('#to-settings', 'click', () => settingsView());
    on('#to-clients', 'click', () => clientsView());
    on('#to-days', 'click', myDaysView);
    on('#note-form', 'submit', saveNote);
    bindPlan();
    bindTasks();
  });
  await renderDuty();
  refreshToday();
}

let dutyRender = 0;

/** Redraws the duty card from the latest state; an older, slower redraw never overwrites a newer one. */
async function renderDuty() {
  const card = view.querySelector('#duty');
  if (!card) return;
  const mine = ++dutyRender;
  const html = await dutyCard();
  if (mine !== dutyRender || !card.isConnected) return;
  card.innerHTML = html;
  bindDuty();
}

// ---- the working day ------------------------------------------------------------------------------

async function dutyCard() {
  const state = await duty.state();
  if (!state.on) {
    const location = (await duty.locationAllowed()) ? '' : `<p class="small muted">${t('duty.noLocation')}</p>`;
    return `<p>${t('duty.off')}</p>${await startButton()}${location}`;
  }
  const tracking = state.paused ? t('duty.paused')
    : !(await duty.locationAllowed()) ? t('duty.noLocation')
      : state.lastFix ? t('duty.lastFix', { time: time(state.lastFix.at), accuracy: Math.round(state.lastFix.accuracy_m) })
        : t('duty.waitingFix');
  const visit = state.visit ? `<p><strong>${t('duty.atClient', { client: escape(state.visit.client_name), time: time(state.visit.since) })}</strong>
      <button class="secondary" id="open-visit" data-client="${state.visit.client_id}">${t('duty.openVisit')}</button></p>` : '';
  const awake = 'wakeLock' in navigator ? `<label class="check"><input type="checkbox" id="keep-awake" ${(await meta('keepAwake')) ? 'checked' : ''}> ${t('duty.keepAwake')}</label>` : '';
  return `<p><strong>${t('duty.since', { time: time(state.since) })}</strong></p>
    <p class="small" id="tracking">${tracking}</p>${visit}${awake}
    <div class="row"><button class="secondary" id="pause">${state.paused ? t('duty.resume') : t('duty.pause')}</button>
    <button class="danger" id="end-day">${t('duty.end')}</button></div>
    <p class="small muted" id="my-day">${escape(myDay)}</p>`;
}

/** Start of day: a plain button, or a selfie first when the company asks for one (camera allowed). */
async function startButton() {
  if (!(await meta('activity'))?.selfie_required) return `<button class="wide" id="start-day">${t('duty.start')}</button>`;
  if (!(await granted('camera'))) return `<p class="error small">${t('duty.selfieNeedsCamera')}</p>`;
  return `<label class="button wide" for="selfie">${t('duty.startWithSelfie')}</label>
    <input id="selfie" type="file" accept="image/*" capture="user" class="picker">`;
}

/** What the server last said about the day so far (distance, visits), shown on the duty card. */
let myDay = '';

function bindDuty() {
  on('#start-day', 'click', async () => { await duty.startDay(); homeView(); });
  on('#selfie', 'change', async (e) => {
    const [photo] = e.target.files;
    if (!photo) return;
    await duty.startDay(await media.keepPhoto(photo, 'selfie'));
    homeView();
  });
  on('#end-day', 'click', async () => { if (confirm(t('duty.endConfirm'))) { await duty.endDay(); homeView(); } });
  on('#pause', 'click', async () => { const s = await duty.state(); await (s.paused ? duty.unpause() : duty.pause()); homeView(); });
  on('#keep-awake', 'change', (e) => duty.keepAwake(e.target.checked));
  on('#open-visit', 'click', (e) => clientView(e.target.dataset.client));
}

function planItems(plan) {
  if (!plan?.length) return `<li class="muted">${t('duty.noPlan')}</li>`;
  return plan.map((p) => {
    const visit = p.visit ? `<span class="tag ${p.visit.in_verdict === 'verified' ? 'sent' : 'waiting'}">${t(`verdict.${p.visit.in_verdict}`)}</span>` : '';
    return `<li><a href="#" data-client="${p.client_id}"><strong>${escape(p.client_name)}</strong></a> ${visit}<br><span class="small muted">${escape(p.address || '')}</span></li>`;
  }).join('');
}

function taskItems(tasks) {
  if (!tasks?.length) return `<li class="muted">${t('tasks.none')}</li>`;
  return tasks.map((task) => `<li><a href="#" data-client="${task.client_id}"><strong>${escape(task.client_name)}</strong></a>
    <br><span class="small">${escape(task.due_on)} · ${escape(task.title)}</span></li>`).join('');
}

function bindTasks() {
  view.querySelectorAll('#tasks [data-client]').forEach((a) => a.addEventListener('click', (e) => { e.preventDefault(); clientView(a.dataset.client); }));
}

function bindPlan() {
  view.querySelectorAll('#plan [data-client]').forEach((a) => a.addEventListener('click', (e) => { e.preventDefault(); clientView(a.dataset.client); }));
}

/** Today's plan, the company's rules and the day so far, when online; the cached copies otherwise. */
async function refreshToday() {
  const me = await meta('me');
  if (!me) return;
  const activity = await fetchJson('/api/v1/company/activity-settings');
  if (activity) {
    await setMeta('activity', activity);
    renderDuty();
  }
  const plan = await fetchJson(`/api/v1/people/${me.id}/plan`);
  if (plan) {
    await setMeta('plan', plan);
    await store.putMany('clients', plan.map((p) => ({ id: p.client_id, name: p.client_name, address: p.address, client_type: '' })));
    const list = view.querySelector('#plan');
    if (list) { list.innerHTML = planItems(plan); bindPlan(); }
  }
  const tasks = await fetchJson('/api/v1/me/tasks');
  if (tasks) {
    await setMeta('tasks', tasks);
    const list = view.querySelector('#tasks');
    if (list) { list.innerHTML = taskItems(tasks); bindTasks(); }
  }
  const state = await duty.state();
  const day = state.on ? await fetchJson(`/api/v1/people/${me.id}/days/${await companyDay(state.since)}`) : null;
  if (day) {
    myDay = daySoFar(day, plan || (await meta('plan')) || []);
    renderDuty();
  }
}

/** Today's kilometres and visits, against the plan when there is one. */
function daySoFar(day, plan) {
  const planned = new Set(plan.map((p) => p.client_id));
  const done = day.visits.filter((v) => planned.has(v.client_id)).length;
  return planned.size
    ? t('duty.myDayPlanned', { km: day.distance_km, done, planned: planned.size, count: day.visits.length })
    : t('duty.myDay', { km: day.distance_km, count: day.visits.length });
}

/** The date of an instant in the company's time zone, which decides what "a day" is (a phone set to
 *  another zone still files the day where the company does); the phone's own zone until the company's
 *  rules have been fetched once. */
async function companyDay(ms) {
  const zone = (await meta('activity'))?.time_zone;
  const options = { year: 'numeric', month: '2-digit', day: '2-digit' };
  try {
    return new Intl.DateTimeFormat('en-CA', { ...options, timeZone: zone }).format(new Date(ms));
  } catch {
    return new Intl.DateTimeFormat('en-CA', options).format(new Date(ms));
  }
}

/** The employee's own last seven days (from the register) and today's stops, as the server has them. */
async function myDaysView() {
  const stillHere = current();
  const me = await meta('me');
  const today = await companyDay(Date.now());
  const from = await companyDay(Date.now() - 6 * 86400000);
  const days = await fetchJson(`/api/v1/attendance?from=${from}&to=${today}`);
  const detail = await fetchJson(`/api/v1/people/${me.id}/days/${today}`);
  if (!stillHere()) return;
  if (days) await setMeta('myDays', { days, detail });
  const cached = days ? { days, detail } : await meta('myDays');
  const rows = (cached?.days || []).filter((d) => d.person_id === me.id).reverse();
  const clock = (iso) => (iso ? time(Date.parse(iso)) : '–');
  const stops = cached?.detail?.stops || [];
  const story = dayStory(cached?.detail, await duty.screenOff());
  const summary = cached?.detail ? daySoFar(cached.detail, (await meta('plan')) || []) : '';
  show(`
    <div class="nav"><button id="to-home" class="secondary">${t('nav.home')}</button></div>
    <h1 tabindex="-1">${t('days.title')}</h1>
    ${days ? '' : `<p class="muted" role="status">${t('days.offline')}</p>`}
    <ul class="plain" id="my-days">${rows.map((d) => `<li><strong>${escape(d.day)}</strong> · ${t(`status.${d.status}`)}<br>
      <span class="small">${clock(d.started_at)}–${clock(d.ended_at)} · ${t('unit.km', { value: d.distance_km })} · ${t('days.visits', { count: d.visits })}</span></li>`).join('') || `<li class="muted">${t('days.none')}</li>`}</ul>
    <h2>${t('days.today')}</h2>
    ${summary ? `<p id="my-day-summary">${escape(summary)}</p>` : ''}
    <ul class="plain" id="day-story">${story.map((e) => `<li class="${e.flagged ? 'flagged' : ''}">${escape(e.text)}</li>`).join('') || `<li class="muted">${t('days.nothingToday')}</li>`}</ul>
    <h2>${t('days.stopsToday')}</h2>
    <ul class="plain" id="my-stops">${stops.map((st) => `<li>${time(st.from)}–${time(st.until)} (${t('unit.min', { value: Math.round((st.until - st.from) / 60000) })})</li>`).join('') || `<li class="muted">${t('days.noStops')}</li>`}</ul>`, () => {
    on('#to-home', 'click', homeView);
  });
}

async function visitSection(client) {
  const state = await duty.state();
  if (!state.on) return `<p class="small muted">${t('visit.startFirst')}</p>`;
  if (state.visit && state.visit.client_id !== client.id) return `<p class="small muted">${t('visit.elsewhere', { client: escape(state.visit.client_name) })}</p>`;
  const propose = (await duty.locationAllowed()) ? `<button class="secondary wide" id="propose-location">${t('visit.proposeLocation')}</button>` : '';
  const planned = ((await meta('plan')) || []).some((p) => p.client_id === client.id);
  const plan = planned ? '' : `<button class="secondary wide" id="plan-today">${t('visit.planToday')}</button>`;
  if (!state.visit) return `<button class="wide" id="check-in">${t('visit.checkIn')}</button>${plan}${propose}`;
  const activity = await meta('activity');
  const outcomes = activity?.visit_outcomes || [];
  // The company's wording in the app's language; the report still names the outcome itself.
  const wordings = activity?.visit_outcome_wordings?.[language] || {};
  return `${checkInVerdict(state.visit)}<form id="visit-report" class="card">
      <h3>${t('visit.report', { time: time(state.visit.since) })}</h3>
      <label for="visit-outcome">${t('visit.outcome')}</label>
      <select id="visit-outcome" name="outcome"><option value="">—</option>${outcomes.map((o) => `<option value="${escape(o)}">${escape(wordings[o] || o)}</option>`).join('')}</select>
      <label for="visit-notes">${t('visit.notes')}</label>
      <textarea id="visit-notes" name="notes" maxlength="4000"></textarea>
      <label for="visit-follow-up">${t('visit.followUp')}</label>
      <input id="visit-follow-up" name="follow_up_on" type="date">
      ${await reportFiles(state.visit)}
      <button class="wide" type="submit">${t('visit.checkOut')}</button>
    </form>${propose}`;
}

/** How far the client was at check-in, in the words of the verdict the manager will see. */
function checkInVerdict(visit) {
  if (!visit.verdict) return '';
  const tone = visit.verdict === 'verified' ? 'state-granted' : 'error';
  return `<p id="check-in-verdict" class="${tone}" role="status">${escape(verdictWords(visit))}</p>`;
}

/** A check-in's verdict in words: `verdict`, `distance_m` and `accuracy_m` as the phone or the server has them. */
function verdictWords(visit) {
  const facts = { distance: visit.distance_m == null ? '' : distance(visit.distance_m), accuracy: Math.round(visit.accuracy_m ?? 0) };
  return visit.verdict === 'verified' ? t('visit.verdictVerified', facts)
    : visit.verdict === 'out_of_range' ? t('visit.verdictOutOfRange', facts)
      : visit.accuracy_m == null ? t('visit.verdictNoPosition')
        : visit.distance_m == null ? t('visit.verdictNoClientLocation')
          : t('visit.verdictInaccurate', facts);
}

/** A silence longer than this between positions on duty is explained in the employee's day. */
const SILENCE_MS = 10 * 60000;

/**
 * Today as the employee's own story, in time order: each check-in with its verdict, and each silence
 * between positions with its likely cause — the screen off (the app records when it was out of sight),
 * else the phone giving no position.
 */
function dayStory(detail, screenOff) {
  if (!detail) return [];
  const story = detail.visits.map((v) => {
    const at = Date.parse(v.in_device_time);
    const words = verdictWords({ verdict: v.in_verdict, distance_m: v.in_distance_m, accuracy_m: v.in_accuracy_m });
    return { at, text: t('days.checkIn', { time: time(at), client: v.client_name, verdict: words }), flagged: v.in_verdict !== 'verified' };
  });
  const times = [Date.parse(detail.start_device_time), ...detail.trail.map((fix) => fix[2])].filter(Number.isFinite).sort((a, b) => a - b);
  const until = detail.end_device_time ? Date.parse(detail.end_device_time) : Date.now();
  times.push(until);
  for (let i = 1; i < times.length; i++) {
    const [from, to] = [times[i - 1], times[i]];
    if (to - from < SILENCE_MS) continue;
    const hidden = screenOff.reduce((sum, p) => sum + Math.max(0, Math.min(to, p.until ?? Date.now()) - Math.max(from, p.from)), 0);
    const key = hidden * 2 >= to - from ? 'days.gapScreenOff' : 'days.gapNoPosition';
    story.push({ at: from, text: t(key, { from: time(from), until: time(to) }), flagged: true });
  }
  return story.sort((a, b) => a.at - b.at);
}

/** A distance as people say it: metres below a kilometre, kilometres with one decimal above. */
function distance(metres) {
  return metres < 1000 ? t('unit.m', { value: Math.round(metres) }) : t('unit.km', { value: (metres / 1000).toFixed(1) });
}

/** Most photos on one visit report (the server's limit too). */
const MAX_PHOTOS = 10;

/** The photo and voice-note part of the visit report, offered only with the permission granted. */
async function reportFiles(visit) {
  const photos = visit.photos || [];
  const camera = !(await granted('camera')) ? `<p class="small muted">${t('visit.allowCamera')}</p>`
    : photos.length >= MAX_PHOTOS ? '' : `<label class="button secondary" for="visit-photo">${t('visit.addPhoto')}</label>
      <input id="visit-photo" type="file" accept="image/*" capture="environment" multiple class="picker">`;
  const microphone = !(await granted('microphone')) ? `<p class="small muted">${t('visit.allowMicrophone')}</p>`
    : `<button type="button" class="secondary" id="voice-record">${media.recording() ? t('visit.stopRecording') : visit.voice ? t('visit.recordAgain') : t('visit.record')}</button>`;
  return `<h4>${t('visit.photos', { count: photos.length })}</h4><div class="thumbs" id="visit-photos"></div>${camera}
    <h4>${t('visit.voiceNote')}</h4><div id="visit-voice"></div>${microphone}<p class="small" id="voice-state" role="status"></p>`;
}

/** Shows the open visit's kept photos and voice note, each with a remove button. */
async function showReportFiles() {
  const visit = (await duty.state()).visit;
  const photos = view.querySelector('#visit-photos');
  const voice = view.querySelector('#visit-voice');
  if (!visit || !photos) return;
  const items = [];
  for (const id of visit.photos || []) {
    const url = await media.localUrl(id);
    if (url) items.push(`<figure><img src="${url}" alt="${t('visit.photoAlt')}"><button type="button" class="secondary" data-remove="${id}" aria-label="${t('visit.removePhoto')}">×</button></figure>`);
  }
  photos.innerHTML = items.join('');
  const url = visit.voice ? await media.localUrl(visit.voice) : null;
  voice.innerHTML = url ? `<audio controls src="${url}"></audio><button type="button" class="secondary" data-remove="${visit.voice}">${t('visit.removeVoice')}</button>` : '';
  view.querySelectorAll('#visit-report [data-remove]').forEach((b) => b.addEventListener('click', async () => {
    await media.discard(b.dataset.remove);
    await duty.removeVisitFile(b.dataset.remove);
    showReportFiles();
  }));
}

async function addPhotos(event, client) {
  const room = MAX_PHOTOS - ((await duty.state()).visit?.photos?.length || 0);
  for (const photo of [...event.target.files].slice(0, room)) {
    await duty.addVisitPhoto(await media.keepPhoto(photo, 'visit_photo', true));
  }
  clientView(client.id);
}

async function toggleRecording(client) {
  const button = view.querySelector('#voice-record');
  const state = view.querySelector('#voice-state');
  if (!media.recording()) {
    if (!(await media.startRecording())) { state.textContent = t('visit.microphoneBlocked'); return; }
    button.textContent = t('visit.stopRecording');
    state.textContent = t('visit.recording');
    return;
  }
  const id = await media.stopRecording();
  if (id) {
    const replaced = await duty.setVisitVoice(id);
    if (replaced) await media.discard(replaced);
  }
  clientView(client.id);
}

function bindVisit(client) {
  on('#visit-photo', 'change', (e) => addPhotos(e, client));
  on('#voice-record', 'click', () => toggleRecording(client));
  showReportFiles();
  on('#check-in', 'click', async (event) => {
    const stillHere = current();
    event.target.disabled = true;
    event.target.textContent = t('visit.locating');
    await duty.checkIn(client);
    if (stillHere()) clientView(client.id);
  });
  on('#plan-today', 'click', async () => {
    const me = await meta('me');
    const button = view.querySelector('#plan-today');
    const response = await fetch('/api/v1/visit-plans', {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await meta('token')}` },
      body: JSON.stringify({ person_id: me.id, client_ids: [client.id], day: await companyDay(Date.now()) }),
    }).catch(() => null);
    if (response?.ok) await refreshToday();
    if (button) { button.disabled = true; button.textContent = response?.ok ? t('visit.planned') : t('visit.planOffline'); }
  });
  on('#visit-report', 'submit', async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const report = {};
    if (form.get('outcome')) report.outcome = form.get('outcome');
    if (form.get('notes').trim()) report.notes = form.get('notes').trim();
    if (form.get('follow_up_on')) report.follow_up_on = form.get('follow_up_on');
    await duty.checkOut(report);
    homeView();
  });
  on('#propose-location', 'click', async () => {
    const sent = await duty.proposeLocation(client.id);
    const button = view.querySelector('#propose-location');
    if (button) { button.disabled = true; button.textContent = sent ? t('visit.proposed') : t('clients.noFix'); }
  });
}

function noteItem(note) {
  const tag = `<span class="tag ${note.status}">${t(`sync.${note.status}`)}</span>`;
  const reason = note.reason ? `<br><span class="error small">${escape(note.reason)}</span>` : '';
  return `<li data-id="${note.id}">${escape(note.text)}<br><span class="small muted">${time(note.device_time)}</span> ${tag}${reason}</li>`;
}

async function saveNote(event) {
  event.preventDefault();
  const text = new FormData(event.target).get('note').trim();
  if (!text) return;
  const record = await sync.enqueue('note', { text });
  await store.put('notes', { id: record.id, text, device_time: record.device_time, status: 'waiting' });
  homeView();
}

// ---- clients --------------------------------------------------------------------------------------

/** The API with the device token; null when offline or refused. */
async function fetchJson(path) {
  try {
    const response = await fetch(path, { headers: { authorization: `Bearer ${await meta('token')}` } });
    return response.ok ? response.json() : null;
  } catch {
    return null;
  }
}

const granted = async (permission) => ((await meta('decisions')) || {})[permission]?.decision === 'granted';

function position() {
  return new Promise((resolve) => navigator.geolocation.getCurrentPosition(
    (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude }), () => resolve(null), { timeout: 15000 }));
}

async function clientsView(message = '') {
  const cached = (await store.all('clients')).sort((a, b) => (a.distance_m ?? 0) - (b.distance_m ?? 0) || a.name.localeCompare(b.name));
  show(`
    <div class="nav"><button id="to-home" class="secondary">${t('nav.home')}</button></div>
    <h1 tabindex="-1">${t('clients.title')}</h1>
    ${message ? `<p class="muted" role="status">${escape(message)}</p>` : ''}
    <form id="client-search" class="row"><label for="client-q" class="small">${t('clients.search')}</label>
      <input id="client-q" name="q" autocomplete="off"><button type="submit">${t('clients.find')}</button></form>
    <button class="wide secondary" id="near-me">${t('clients.nearMe')}</button>
    <button class="wide secondary" id="new-outlet">${t('outlet.add')}</button>
    <ul class="plain" id="client-list">${cached.map(clientItem).join('') || `<li class="muted">${t('clients.none')}</li>`}</ul>`, () => {
    on('#to-home', 'click', homeView);
    on('#new-outlet', 'click', () => outletView());
    on('#client-search', 'submit', async (e) => { e.preventDefault(); await loadClients(`q=${encodeURIComponent(new FormData(e.target).get('q'))}`); });
    on('#near-me', 'click', nearMe);
    view.querySelectorAll('[data-client]').forEach((a) => a.addEventListener('click', (e) => { e.preventDefault(); clientView(a.dataset.client); }));
  });
}

/**
 * A new outlet found on the beat: name, owner, phone, type, address, where the phone is, and photos of
 * the shop front (with the camera allowed). Saved on the phone and sent as a `client` record, offline
 * too; the server makes the employee its owner.
 */
async function outletView() {
  const stillHere = current();
  const fields = (await fetchJson('/api/v1/company/client-fields')) || (await meta('clientFields'));
  if (!stillHere()) return;
  if (fields) await setMeta('clientFields', fields);
  const types = fields?.client_types || [];
  const camera = await granted('camera');
  const located = await granted('location');
  const photos = [];
  let position = null;
  show(`
    <div class="nav"><button id="to-list" class="secondary">${t('nav.clients')}</button></div>
    <h1 tabindex="-1">${t('outlet.title')}</h1>
    <form id="outlet-form" class="card" novalidate>
      <label for="outlet-name">${t('outlet.name')}</label><input id="outlet-name" name="name" required maxlength="200" autocomplete="off">
      <label for="outlet-owner">${t('outlet.owner')}</label><input id="outlet-owner" name="owner_name" maxlength="200" autocomplete="off">
      <label for="outlet-phone">${t('outlet.phone')}</label><input id="outlet-phone" name="phone" type="tel" inputmode="tel" maxlength="20">
      ${types.length ? `<label for="outlet-type">${t('outlet.type')}</label><select id="outlet-type" name="client_type">${types.map((type) => `<option value="${escape(type)}">${escape(word('clientType', type))}</option>`).join('')}</select>` : ''}
      <label for="outlet-address">${t('outlet.address')}</label><textarea id="outlet-address" name="address" maxlength="1000"></textarea>
      <p id="outlet-position" class="small muted" role="status">${located ? t('outlet.locating') : t('outlet.noLocation')}</p>
      ${camera ? `<label class="button secondary wide" for="outlet-photo">${t('outlet.photo')}</label>
        <input id="outlet-photo" type="file" accept="image/*" capture="environment" class="picker">` : `<p class="small muted">${t('visit.allowCamera')}</p>`}
      <div id="outlet-photos" class="thumbs"></div>
      <p id="outlet-error" class="error" role="alert"></p>
      <button class="wide" type="submit">${t('outlet.save')}</button>
    </form>`, () => {
    on('#to-list', 'click', () => clientsView());
    on('#outlet-photo', 'change', async (event) => {
      const [photo] = event.target.files;
      if (!photo) return;
      const id = await media.keepPhoto(photo, 'shop_photo');
      photos.push(id);
      const url = await media.localUrl(id);
      view.querySelector('#outlet-photos')?.insertAdjacentHTML('beforeend', `<figure><img src="${url}" alt="${escape(t('outlet.photoTaken'))}"><button type="button" class="secondary" data-remove="${id}" aria-label="${t('visit.removePhoto')}">×</button></figure>`);
      event.target.value = '';
    });
    on('#outlet-photos', 'click', async (event) => {
      const button = event.target.closest('[data-remove]');
      if (!button) return;
      await media.discard(button.dataset.remove);
      photos.splice(photos.indexOf(button.dataset.remove), 1);
      button.closest('figure').remove();
    });
    on('#outlet-form', 'submit', async (event) => {
      event.preventDefault();
      const form = new FormData(event.target);
      const name = form.get('name').trim();
      if (!name) {
        view.querySelector('#outlet-error').textContent = t('outlet.nameNeeded');
        view.querySelector('#outlet-name').focus();
        return;
      }
      const payload = { name, photos };
      for (const key of ['owner_name', 'phone', 'client_type', 'address']) {
        const value = (form.get(key) || '').trim();
        if (value) payload[key] = value;
      }
      if (position) payload.position = position;
      await sync.enqueue('client', payload);
      clientsView(t('outlet.saved', { name }));
    });
  });
  const stillOnForm = current();
  if (located) {
    position = await duty.currentPosition();
    const line = view.querySelector('#outlet-position');
    if (line && stillOnForm()) {
      line.textContent = position ? t('outlet.located', { accuracy: Math.round(position.accuracy_m) }) : t('outlet.noFix');
    }
  }
}

function clientItem(client) {
  const distance = client.distance_m != null ? ` · ${t('unit.km', { value: (client.distance_m / 1000).toFixed(1) })}` : '';
  return `<li><a href="#" data-client="${client.id}"><strong>${escape(client.name)}</strong></a><br><span class="small muted">${escape(word('clientType', client.client_type))}${distance}</span></li>`;
}

async function loadClients(query, message = '') {
  const stillHere = current();
  const list = await fetchJson(`/api/v1/clients?${query}`);
  if (!stillHere()) return;
  if (!list) return clientsView(t('clients.offline'));
  const known = await store.all('clients');
  await store.removeMany('clients', known.map((c) => c.id));
  await store.putMany('clients', list);
  clientsView(message);
}

async function nearMe() {
  const stillHere = current();
  if (!(await granted('location'))) return clientsView(t('clients.needLocation'));
  const here = await position();
  if (!stillHere()) return;
  if (!here) return clientsView(t('clients.noFix'));
  await loadClients(`latitude=${here.latitude}&longitude=${here.longitude}&limit=20`, t('clients.nearest'));
}

async function clientView(id) {
  const stillHere = current();
  const cached = await store.get('clients', id);
  const client = (await fetchJson(`/api/v1/clients/${id}`)) || cached;
  if (!stillHere()) return;
  if (!client) return clientsView(t('clients.offline'));
  const contacts = (await fetchJson(`/api/v1/clients/${id}/contacts`)) || client.contacts || [];
  const timeline = (await fetchJson(`/api/v1/clients/${id}/timeline`)) || [];
  if (!stillHere()) return;
  await store.put('clients', { ...client, contacts });
  const reach = (kind, value, contactId) => `<a class="tag" data-reach="${kind}" data-contact="${contactId || ''}" href="${kind === 'email' ? 'mailto' : kind === 'sms' ? 'sms' : 'tel'}:${escape(value)}">${t(`clients.${kind}`)}</a>`;
  const outcomeWords = (await meta('activity'))?.visit_outcome_wordings?.[language] || {};
  const pickable = 'contacts' in navigator && 'select' in navigator.contacts && (await granted('contacts'));
  show(`
    <div class="nav"><button id="to-list" class="secondary">${t('nav.clients')}</button></div>
    <h1 tabindex="-1">${escape(client.name)}</h1>
    <p class="small muted">${escape(client.address || '')}</p>
    ${[client.phone, ...(client.other_phones || [])].filter(Boolean).map((phone) => `<p>${escape(phone)} ${reach('call', phone)} ${reach('sms', phone)}</p>`).join('')}
    ${(client.other_addresses || []).map((a) => `<p class="small"><strong>${escape(a.label)}</strong>: ${escape(a.address)}</p>`).join('')}
    ${await customFacts(client)}
    <h2>${t('clients.contacts')}</h2>
    <ul class="plain">${contacts.map((c) => `<li><strong>${escape(c.name)}</strong> ${escape(c.role || '')}<br>
      ${c.phone ? `${reach('call', c.phone, c.id)} ${reach('sms', c.phone, c.id)}` : ''} ${c.email ? reach('email', c.email, c.id) : ''}</li>`).join('') || `<li class="muted">${t('clients.noContacts')}</li>`}</ul>
    <section id="visit">${await visitSection(client)}</section>
    ${pickable ? `<button class="wide secondary" id="pick-contact">${t('clients.pickContact')}</button>` : ''}
    <div id="outcome"></div>
    <h2>${t('clients.timeline')}</h2>
    <ul class="plain">${timeline.map((i) => `<li><span class="tag">${escape(word('kind', i.kind))}</span> ${escape(outcomeWords[i.outcome] || i.outcome || '')}<br><span class="small">${escape(i.body)}</span></li>`).join('') || `<li class="muted">${t('clients.noTimeline')}</li>`}</ul>`, () => {
    on('#to-list', 'click', () => clientsView());
    view.querySelectorAll('[data-reach]').forEach((link) => link.addEventListener('click', () => {
      setMeta('pendingOutcome', { client_id: id, contact_id: link.dataset.contact || null, kind: link.dataset.reach === 'call' ? 'call' : link.dataset.reach });
      setTimeout(() => outcomeForm(id), 300);
    }));
    on('#pick-contact', 'click', () => pickContact(id));
    bindVisit(client);
  });
}

/** The company's custom fields of a client, labelled as the company named them. */
async function customFacts(client) {
  const fields = (await fetchJson('/api/v1/company/client-fields')) || (await meta('clientFields'));
  if (!fields) return '';
  await setMeta('clientFields', fields);
  return fields.custom_fields.filter((f) => client.custom?.[f.key] !== undefined)
    .map((f) => `<p class="small"><strong>${escape(f.label)}</strong>: ${escape(String(client.custom[f.key]))}</p>`).join('');
}

/** After a call, text or e-mail the app asks how it went; the answer is queued, so it works offline. */
async function outcomeForm(clientId) {
  const pending = await meta('pendingOutcome');
  const slot = view.querySelector('#outcome');
  if (!pending || pending.client_id !== clientId || !slot) return;
  slot.innerHTML = `<form id="outcome-form" class="card">
    <h3>${t('clients.howDidItGo')}</h3>
    <label for="outcome-choice">${t('clients.outcome')}</label>
    <select id="outcome-choice" name="outcome">${['ordered', 'call back', 'not interested', 'not reachable', 'wrong number']
      .map((o) => `<option value="${o}">${t(`outcome.${o.replace(' ', '_')}`)}</option>`).join('')}</select>
    <label for="outcome-notes">${t('clients.notes')}</label>
    <textarea id="outcome-notes" name="notes"></textarea>
    <button class="wide" type="submit">${t('clients.saveOutcome')}</button></form>`;
  slot.querySelector('#outcome-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = form.get('notes').trim() || t(`outcome.${form.get('outcome').replace(' ', '_')}`);
    await sync.enqueue('interaction', { client_id: clientId, kind: pending.kind, contact_id: pending.contact_id, outcome: form.get('outcome'), body });
    await setMeta('pendingOutcome', null);
    slot.innerHTML = `<p class="state-granted" role="status">${t('clients.outcomeSaved')}</p>`;
  });
}

async function pickContact(clientId) {
  const [picked] = await navigator.contacts.select(['name', 'tel', 'email'], { multiple: false });
  if (!picked) return;
  const body = { name: picked.name?.[0] || picked.tel?.[0], phone: picked.tel?.[0] || null, email: picked.email?.[0] || null };
  await fetch(`/api/v1/clients/${clientId}/contacts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await meta('token')}` }, body: JSON.stringify(body) });
  clientView(clientId);
}

// ---- settings -------------------------------------------------------------------------------------

async function settingsView(message = '') {
  const decisions = (await meta('decisions')) || {};
  const state = await sync.status();
  show(`
    <div class="nav"><button id="to-home" class="secondary">${t('nav.home')}</button></div>
    <h1 tabindex="-1">${t('settings.title')}</h1>
    ${message ? `<p class="error" role="alert">${escape(message)}</p>` : ''}
    <label for="language">${t('settings.language')}</label>
    <select id="language"><option value="en">English</option><option value="hi">हिन्दी</option></select>
    <h2>${t('settings.permissions')}</h2>
    ${PERMISSIONS.map(({ name }) => permissionCard(name, decisions[name])).join('')}
    <h2>${t('settings.data')}</h2>
    <p class="small">${t('settings.waiting', { count: state.waiting })}</p>
    <button class="wide secondary" id="export">${t('settings.export')}</button>
    <button class="wide danger" id="signout">${t('settings.signout')}</button>
    <p class="small muted">${t('settings.version', { version: VERSION })}</p>`, () => {
    view.querySelector('#language').value = language;
    on('#to-home', 'click', homeView);
    on('#language', 'change', async (e) => { await setMeta('language', e.target.value); await use(e.target.value); settingsView(); renderStatus(); });
    view.querySelectorAll('[data-grant]').forEach((b) => b.addEventListener('click', () => decide(b.dataset.grant, 'granted', settingsView)));
    view.querySelectorAll('[data-revoke]').forEach((b) => b.addEventListener('click', () => decide(b.dataset.revoke, 'revoked', settingsView)));
    on('#export', 'click', exportData);
    on('#signout', 'click', signOut);
  });
}

async function exportData() {
  const data = { exported_at: new Date().toISOString(), me: await meta('me'), outbox: await store.all('outbox'), notes: await store.all('notes') };
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: `outfield-export-${Date.now()}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Signs out after everything is sent; with unsent records, only after an explicit second confirmation. */
async function signOut() {
  await sync.syncNow();
  const status = await sync.status();
  const waiting = status.waiting + status.files;
  if (waiting > 0 && !view.querySelector('#signout').dataset.confirmed) {
    view.querySelector('#signout').dataset.confirmed = '1';
    view.querySelector('#signout').textContent = t('settings.signoutAnyway', { count: waiting });
    return;
  }
  const token = await meta('token');
  fetch('/api/v1/sessions/current', { method: 'DELETE', headers: { authorization: `Bearer ${token}` } }).catch(() => {});
  const company = await meta('company');
  const lang = language;
  await store.wipe();
  await setMeta('company', company);
  await setMeta('language', lang);
  signInView();
}

// ---- status and routing ---------------------------------------------------------------------------

async function renderStatus() {
  const state = await sync.status();
  const me = await meta('me');
  who.textContent = me ? `${me.name} · ${me.company_name}` : '';
  if (state.revoked) {
    banner.hidden = false;
    banner.textContent = t('sync.revokedBanner', { count: state.waiting });
  } else {
    banner.hidden = true;
  }
  if (!(await meta('token'))) { statusBar.textContent = ''; return; }
  const parts = [t('sync.waitingCount', { count: state.waiting })];
  if (state.files) parts.push(t('sync.filesWaiting', { count: state.files }));
  if (state.rejected) parts.push(t('sync.rejectedCount', { count: state.rejected }));
  if (state.rejectedFiles.length) parts.push(t('sync.filesRefused', { count: state.rejectedFiles.length, reason: state.rejectedFiles[0].reason }));
  parts.push(state.lastSent ? t('sync.lastSent', { time: time(state.lastSent) }) : t('sync.neverSent'));
  if (!navigator.onLine) parts.push(t('sync.offline'));
  statusBar.innerHTML = `<span id="sync-text">${escape(parts.join(' · '))}</span><button id="sync-now" class="secondary">${t('sync.now')}</button>`;
  statusBar.querySelector('#sync-now').addEventListener('click', () => sync.syncNow());
}

async function route() {
  renderStatus();
  if (!(await meta('token'))) return signInView();
  const notice = await meta('notice');
  const seen = (await meta('consentVersion')) || 0;
  if (!seen || (notice && notice.version > seen)) return consentView();
  await homeView();
  await duty.resume();
}

async function start() {
  await use((await meta('language')) || 'en');
  let todayTimer = null;
  sync.onPulled(duty.reconcile);
  sync.onChange(() => {
    renderStatus();
    if (view.querySelector('#notes')) refreshNotes();
    // What the server says about today (plan with verdicts, distance) changes once records have gone up.
    clearTimeout(todayTimer);
    todayTimer = setTimeout(() => { if (view.querySelector('#plan')) refreshToday(); }, 500);
  });
  addEventListener('online', () => { renderStatus(); duty.resume(); sync.syncSoon(0); });
  addEventListener('offline', renderStatus);
  document.addEventListener('visibilitychange', async () => {
    const pending = await meta('pendingOutcome');
    if (document.visibilityState === 'visible' && pending) outcomeForm(pending.client_id);
    if (document.visibilityState === 'visible' && (await meta('keepAwake'))) duty.keepAwake(true);
  });
  duty.onChange(renderDuty);
  await route();
  await duty.resume();
  if (await meta('keepAwake')) duty.keepAwake(true);
  sync.syncSoon(0);
  setInterval(() => sync.syncSoon(0), 60_000);
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' });
}

async function refreshNotes() {
  const notes = (await store.all('notes')).sort((a, b) => b.device_time - a.device_time);
  const list = view.querySelector('#notes');
  if (list && notes.length) list.innerHTML = notes.map(noteItem).join('');
}

start();
