/* Luneo admin: session tokens, API calls, navigation, toasts and formatting (no build step).
 *
 * Inside the Shopify admin, App Bridge (window.shopify) hands out session tokens. In demo mode
 * (a plain browser tab, no Shopify) a shim fetches locally signed demo tokens instead; that
 * endpoint exists only in demo mode. */
(function () {
  'use strict';
  var cfgEl = document.getElementById('admin-config');
  var cfg = cfgEl ? JSON.parse(cfgEl.textContent) : {};
  var cached = null;

  function appBridge() {
    var s = window.shopify;
    return s && typeof s.idToken === 'function' ? s : null;
  }

  /** A fresh session token: App Bridge's when embedded, else the demo shim's. */
  function sessionToken() {
    var bridge = appBridge();
    if (bridge) return bridge.idToken();
    if (!cfg.demoTokenUrl) return Promise.reject(new Error('Open Luneo from your Shopify admin.'));
    var now = Date.now() / 1000;
    if (cached && cached.exp - 15 > now) return Promise.resolve(cached.token);
    return fetch(cfg.demoTokenUrl, { cache: 'no-store', credentials: 'omit' })
      .then(function (r) { if (!r.ok) throw new Error('No demo session'); return r.json(); })
      .then(function (body) {
        cached = { token: body.token, exp: now + (body.expiresIn || 60) };
        return body.token;
      });
  }

  function ApiError(status, payload) {
    var err = (payload && payload.error) || {};
    this.name = 'ApiError';
    this.status = status;
    this.code = err.code || 'error';
    this.message = err.message || ('Request failed (' + status + ')');
    this.details = err.details && typeof err.details === 'object' ? err.details : {};
  }
  ApiError.prototype = Object.create(Error.prototype);

  function answer(r, opts) {
    if (!r.ok) {
      return r.json().catch(function () { return null; }).then(function (payload) {
        throw new ApiError(r.status, payload);
      });
    }
    return opts.raw ? r.blob() : r.json();
  }

  /** The brand console (cookie session): {apiBase}{path} with the page's CSRF token. */
  function consoleApi(path, opts) {
    var headers = { 'X-CSRF-Token': cfg.csrfToken, Accept: opts.raw ? '*/*' : 'application/json' };
    var init = { method: opts.method || 'GET', headers: headers, credentials: 'same-origin' };
    if (opts.body instanceof FormData) init.body = opts.body; // multipart: the browser sets the type
    else if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(opts.body);
    }
    if (opts.signal) init.signal = opts.signal;
    return fetch(cfg.apiBase + path, init).then(function (r) { return answer(r, opts); });
  }

  /** Call /admin/api{path} with the session token; retries once when told the token was bad. */
  function api(path, opts) {
    opts = opts || {};
    if (cfg.apiBase) return consoleApi(path, opts);
    return sessionToken().then(function (token) {
      var headers = { Authorization: 'Bearer ' + token, Accept: opts.raw ? '*/*' : 'application/json' };
      var init = { method: opts.method || 'GET', headers: headers, credentials: 'omit' };
      if (opts.body !== undefined) {
        if (opts.body instanceof FormData) init.body = opts.body; // multipart: the browser sets the type
        else {
          headers['Content-Type'] = 'application/json';
          init.body = JSON.stringify(opts.body);
        }
      }
      if (opts.signal) init.signal = opts.signal;
      return fetch('/admin/api' + path, init).then(function (r) {
        if (r.status === 401 && !opts.retried && r.headers.get('X-Shopify-Retry-Invalid-Session-Request') === '1') {
          cached = null;
          return api(path, Object.assign({}, opts, { retried: true }));
        }
        if (!r.ok) {
          return r.json().catch(function () { return null; }).then(function (payload) {
            throw new ApiError(r.status, payload);
          });
        }
        return opts.raw ? r.blob() : r.json();
      });
    });
  }

  var CARRY = ['shop', 'host', 'embedded', 'locale'];
  /** Go to another admin page with a fresh id_token (no bounce needed). */
  function go(href) {
    var url = new URL(href, location.href);
    var here = new URLSearchParams(location.search);
    CARRY.forEach(function (k) { if (here.get(k) && !url.searchParams.get(k)) url.searchParams.set(k, here.get(k)); });
    return sessionToken().then(function (token) {
      url.searchParams.set('id_token', token);
      location.assign(url.toString());
    }, function () { location.assign(url.toString()); });
  }

  function isAdminPage(url) {
    return url.origin === location.origin && /^\/admin(\/|$)/.test(url.pathname) &&
      !/^\/admin\/(api|static)\//.test(url.pathname);
  }

  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[href]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (a.target || a.hasAttribute('download')) return;
    var url = new URL(a.href, location.href);
    if (!isAdminPage(url)) return;
    e.preventDefault();
    go(url);
  });
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.matches('form[data-nav]')) return;
    e.preventDefault();
    var url = new URL(form.action, location.href);
    new FormData(form).forEach(function (v, k) { if (v !== '') url.searchParams.set(k, v); });
    go(url);
  });

  var toastTimer = null;
  function toast(message, opts) {
    var el = document.getElementById('toast');
    if (!el) return;
    el.textContent = message;
    el.className = 'toast is-visible' + (opts && opts.error ? ' toast--error' : '');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.className = 'toast'; }, (opts && opts.ms) || 3200);
  }

  function fractionDigits(currency) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency }).resolvedOptions().maximumFractionDigits;
    } catch (e) { return 2; }
  }
  /** Minor units (cents) to a localized amount in the shop's currency. */
  function money(cents, currency) {
    if (cents === null || cents === undefined) return '—';
    var digits = fractionDigits(currency);
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency }).format(cents / Math.pow(10, digits));
    } catch (e) { return (cents / 100).toFixed(2) + ' ' + currency; }
  }
  function toMinor(text, currency) {
    var value = Number(String(text).replace(',', '.'));
    if (!isFinite(value)) return NaN;
    return Math.round(value * Math.pow(10, fractionDigits(currency)));
  }
  function fromMinor(cents, currency) {
    if (cents === null || cents === undefined || cents === '') return '';
    var digits = fractionDigits(currency);
    return (cents / Math.pow(10, digits)).toFixed(digits);
  }
  function date(iso) {
    if (!iso) return '—';
    var d = new Date(iso);
    return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: 'numeric' }) + ' · ' +
      d.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
  }
  function esc(text) {
    return String(text === null || text === undefined ? '' : text)
      .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }

  /** Show an API error's field messages next to [data-field] elements inside root. */
  function showFieldErrors(root, details) {
    clearFieldErrors(root);
    var first = null, unplaced = [];
    Object.keys(details || {}).forEach(function (field) {
      var box = root.querySelector('[data-error-for="' + CSS.escape(field) + '"]');
      var input = root.querySelector('[data-field="' + CSS.escape(field) + '"]');
      if (!box && !input) { unplaced.push(field + ': ' + details[field]); return; }
      if (box) box.textContent = details[field];
      if (input) { input.setAttribute('aria-invalid', 'true'); first = first || input; }
      else { first = first || box; }
    });
    if (first && first.focus) { first.focus({ preventScroll: true }); first.scrollIntoView({ block: 'center', behavior: 'smooth' }); }
    return unplaced;
  }
  function clearFieldErrors(root) {
    root.querySelectorAll('[data-error-for]').forEach(function (el) { el.textContent = ''; });
    root.querySelectorAll('[aria-invalid="true"]').forEach(function (el) { el.removeAttribute('aria-invalid'); });
  }

  function busy(button, on) {
    if (!button) return;
    if (on) {
      button.dataset.label = button.innerHTML;
      button.disabled = true;
      button.innerHTML = '<span class="spinner" aria-hidden="true"></span><span>' + esc(button.textContent) + '</span>';
    } else if (button.dataset.label !== undefined) {
      button.innerHTML = button.dataset.label;
      button.disabled = false;
    }
  }

  if (cfg.apiBase) {
    // The console signs in with cookies; admin links and the session-token shim do not apply.
    window.Luneo = {
      config: cfg, api: api, go: function (href) { location.assign(href); }, toast: toast, money: money,
      toMinor: toMinor, fromMinor: fromMinor, date: date, esc: esc, ApiError: ApiError,
      showFieldErrors: showFieldErrors, clearFieldErrors: clearFieldErrors, busy: busy
    };
    document.querySelectorAll('time[datetime]').forEach(function (t) { t.textContent = date(t.getAttribute('datetime')); });
    return;
  }
  window.Luneo = {
    config: cfg, api: api, sessionToken: sessionToken, go: go, toast: toast, money: money,
    toMinor: toMinor, fromMinor: fromMinor, date: date, esc: esc, ApiError: ApiError,
    showFieldErrors: showFieldErrors, clearFieldErrors: clearFieldErrors, busy: busy
  };

  // Dates rendered by the server in UTC are shown in the merchant's local time.
  document.querySelectorAll('time[datetime]').forEach(function (t) { t.textContent = date(t.getAttribute('datetime')); });
})();
