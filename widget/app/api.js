// Calls to Luneo's API with the storefront token (same origin as this iframe).
// A 401 because the token expired or was not yet live asks the page for a fresh token and
// retries once, so a long session never loses the shopper's work.

import { currentToken, refreshToken } from './bridge.js';

const RETRY_CODES = new Set(['embed_token_expired', 'embed_token_not_validated']);

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || `http_${status}`;
    this.details = error.details || null;
  }
}

/** `fetch` with the bearer token; JSON in (object body) or multipart (FormData); JSON out. */
export async function api(path, { method = 'GET', body, signal } = {}, retried = false) {
  const token = await currentToken();
  const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  let payload = body;
  if (body && !(body instanceof FormData)) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload, signal, credentials: 'omit' });
  const data = await res.json().catch(() => ({}));
  if (res.ok) return data;
  const err = new ApiError(res.status, data);
  if (res.status === 401 && RETRY_CODES.has(err.code) && !retried) {
    await refreshToken();
    return api(path, { method, body, signal }, true);
  }
  throw err;
}

/** Follow a design until `done(design)` is true: server-sent events, polling as a fallback. */
export async function follow(designId, done, { signal, onStatus, timeoutMs = 90000 } = {}) {
  const started = Date.now();
  const token = await currentToken();
  const viaEvents = await new Promise((resolve) => {
    if (!window.EventSource) return resolve(null);
    const url = `/v1/designs/${encodeURIComponent(designId)}/events?access_token=${encodeURIComponent(token)}`;
    const source = new EventSource(url);
    const finish = (value) => {
      source.close();
      resolve(value);
    };
    if (signal) signal.addEventListener('abort', () => finish(null));
    source.addEventListener('status', (event) => {
      let design;
      try {
        design = JSON.parse(event.data);
      } catch {
        return;
      }
      if (onStatus) onStatus(design);
      if (done(design) || design.status === 'failed') finish(design);
    });
    source.addEventListener('error', () => finish(null));
  });
  if (viaEvents) return viaEvents;
  while (Date.now() - started < timeoutMs) {
    if (signal && signal.aborted) throw new DOMException('aborted', 'AbortError');
    const design = await api(`/v1/designs/${encodeURIComponent(designId)}`, { signal });
    if (onStatus) onStatus(design);
    if (done(design) || design.status === 'failed') return design;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('timed out');
}
