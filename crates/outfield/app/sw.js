// Service worker: keeps the app shell so the app opens with no network. API calls always go to the
// network (the app keeps its own data in IndexedDB). The version changes whenever any asset changes.

const VERSION = '__VERSION__';
const CACHE = `outfield-shell-${VERSION}`;
const SHELL = ['/app/', '/app/app.css', '/app/app.js', '/app/store.js', '/app/sync.js', '/app/duty.js', '/app/media.js', '/app/i18n.js',
  '/app/i18n/en.json', '/app/i18n/hi.json', '/app/manifest.webmanifest', '/app/icon.svg', '/app/icon-192.png', '/app/icon-512.png'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('outfield-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin || !url.pathname.startsWith('/app')) return;
  const key = event.request.mode === 'navigate' ? '/app/' : url.pathname;
  event.respondWith(caches.match(key).then((hit) => hit || fetch(event.request)));
});
