// Photos, voice notes and selfies: taken on the phone, kept in IndexedDB (store `files`) until the sync
// engine has uploaded them, so nothing is lost offline. Records name files by id; the bytes follow.
// Nothing here opens the camera or microphone unless the employee allowed it in the app.

import * as store from './store.js';
import * as sync from './sync.js';

/** Photos are re-encoded to this longest side: enough to read a shelf or a signboard, small to send. */
const MAX_SIDE = 1600;
/** A voice note stops on its own after this long. */
export const MAX_RECORDING_MS = 5 * 60 * 1000;

/** Keeps a photo (from a file input) for upload and returns its id. A `held` photo stays on the phone
 * after upload too, for the report's preview, until `release`. */
export async function keepPhoto(file, purpose, held = false) {
  const blob = await shrink(file);
  return keep(blob, purpose, held);
}

async function keep(blob, purpose, held) {
  const id = store.uuidv7();
  await store.put('files', { id, purpose, blob, held, status: 'waiting', created: Date.now() });
  sync.syncSoon(0);
  return id;
}

/** Ends the hold of a sent report's files: uploaded ones are dropped now, the rest after their upload. */
export async function release(ids) {
  for (const id of ids) {
    const file = await store.get('files', id);
    if (!file) continue;
    if (file.status === 'sent') await store.remove('files', id);
    else await store.put('files', { ...file, held: false });
  }
}

/** A JPEG no larger than MAX_SIDE, without the original's metadata (GPS, phone model); the original when
 * the browser cannot decode it. */
async function shrink(file) {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    return blob || file;
  } catch {
    return file;
  }
}

/** A local address for showing a kept file (photo preview, voice note player); null once dropped. */
export async function localUrl(id) {
  const file = await store.get('files', id);
  return file ? URL.createObjectURL(file.blob) : null;
}

/** Drops a kept file that the employee removed before sending the report. */
export async function discard(id) {
  await store.remove('files', id);
}

let recorder = null;
let stopTimer = null;

/** Starts recording a voice note; false when the microphone cannot be opened. */
export async function startRecording() {
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch {
    return false;
  }
  const chunks = [];
  const started = new MediaRecorder(stream);
  started.ondataavailable = (event) => { if (event.data.size) chunks.push(event.data); };
  started.done = new Promise((resolve) => {
    started.onstop = () => {
      stream.getTracks().forEach((track) => track.stop());
      resolve(new Blob(chunks, { type: started.mimeType || 'audio/webm' }));
    };
  });
  started.start(1000);
  recorder = started;
  stopTimer = setTimeout(() => stopRecording(), MAX_RECORDING_MS);
  return true;
}

/** Whether a recording is running. */
export const recording = () => recorder !== null;

/** Stops the recording and keeps it as a voice note; returns its id (null if nothing was recorded). */
export async function stopRecording() {
  if (!recorder) return null;
  clearTimeout(stopTimer);
  const current = recorder;
  recorder = null;
  current.stop();
  const blob = await current.done;
  return blob.size ? keep(blob, 'voice_note', true) : null;
}
