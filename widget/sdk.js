/*!
 * Luneo storefront SDK (loader). No dependencies; creates nothing until the shopper acts.
 *
 *   LuneoWidget.init({shop, productId, variantId, host, locale, onReady, onAddToCart,
 *                     onClose, onError}) -> widget with open(), close(), destroy(),
 *                     setVariant(id)
 *
 * When the shopper picks another variant (the theme's product form changes its variant
 * input, or the theme dispatches `variant:change`), the open widget switches to that
 * variant's photo and print areas; a brand's own page calls setVariant(id).
 *
 * On any other website (an API brand's own store) name the brand instead of the shop:
 *
 *   LuneoWidget.init({brand, productId, host, tokenUrl, onAddToCart})
 *
 * The page's origin must be registered (PUT /v1/embed/origins). Without `tokenUrl` Luneo mints
 * the token for that origin; with it, the SDK POSTs {origin} to the brand's own `tokenUrl`
 * (same origin), whose backend calls POST /v1/embed/tokens with its API key. The finished
 * design is handed to the page: onAddToCart({designId, price, summary, previewUrl}), where
 * `price` is the server's ({addOnCents, currency}); a returned promise is awaited, and its
 * rejection is shown to the shopper.
 *
 * Saved designs and cart lines carry a reopen link (the page's URL with ?luneo_design=<token>):
 * opening it reopens the block's widget with the design restored. A design added from a
 * widget that was opened that way, or opened again after adding, replaces its cart line
 * (POST cart/change.js with the new properties, Shopify's semantics) instead of adding one.
 *
 * Blocks rendered by the theme app extension ([data-luneo-block]) are wired by one delegated
 * click listener. On the first click: GET {host}/embed/token, open the sandboxed widget
 * iframe, check its handshake nonce, POST {host}/embed/validate, hand the token over, wait for
 * `ready`. Messages are accepted only from the iframe's window and Luneo's origin.
 */
(function (w, d) {
  'use strict';
  if (w.LuneoWidget) return;

  var MARGIN = 60; // refresh the token this many seconds before it expires
  var PFX = 'luneo-';
  var REOPEN = 'luneo_design'; // the query parameter of reopen links
  var styled = false;

  function config() {
    var el = d.querySelector('script[data-luneo-config]');
    try { return el ? JSON.parse(el.textContent || '{}') : {}; } catch (e) { return {}; }
  }

  function originOf(url) {
    try { return new URL(url, location.href).origin; } catch (e) { return ''; }
  }

  /** This page's path and query without a reopen token (where reopen links lead back to). */
  function pagePath() {
    var u = new URL(location.href);
    u.searchParams.delete(REOPEN);
    return u.pathname + u.search;
  }

  function qs(params) {
    return Object.keys(params).filter(function (k) { return params[k] != null && params[k] !== ''; })
      .map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]); }).join('&');
  }

  function json(res) {
    return res.json().catch(function () { return {}; }).then(function (body) {
      if (res.ok) return body;
      var e = body.error || {};
      var err = new Error(e.message || body.description || body.message || 'HTTP ' + res.status);
      err.code = e.code || 'http_' + res.status;
      err.status = res.status;
      throw err;
    });
  }

  function css() {
    if (styled) return;
    styled = true;
    var s = d.createElement('style');
    s.textContent =
      '.' + PFX + 'overlay{position:fixed;inset:0;z-index:2147483000;display:flex;align-items:center;' +
      'justify-content:center;background:rgba(17,17,17,.55)}' +
      '.' + PFX + 'overlay[hidden]{display:none}' +
      '.' + PFX + 'panel{position:relative;width:100%;height:100%;background:#fff;overflow:hidden}' +
      '@media (min-width:760px){.' + PFX + 'panel{width:min(980px,calc(100vw - 48px));' +
      'height:min(780px,calc(100vh - 48px));border-radius:16px;box-shadow:0 24px 64px rgba(0,0,0,.3)}}' +
      '.' + PFX + 'frame{display:block;width:100%;height:100%;border:0;background:#fff}' +
      '.' + PFX + 'status{position:absolute;inset:0;display:flex;flex-direction:column;gap:16px;' +
      'align-items:center;justify-content:center;font:15px/1.5 system-ui,sans-serif;color:#303030;' +
      'background:#fff;text-align:center;padding:24px}' +
      '.' + PFX + 'status[hidden]{display:none}' +
      '.' + PFX + 'spin{width:32px;height:32px;border:3px solid #e3e3e3;border-top-color:#303030;' +
      'border-radius:50%;animation:' + PFX + 'spin .8s linear infinite}' +
      '@keyframes ' + PFX + 'spin{to{transform:rotate(360deg)}}' +
      '@media (prefers-reduced-motion:reduce){.' + PFX + 'spin{animation:none}}' +
      '.' + PFX + 'x{padding:10px 18px;border:1px solid #8a8a8a;border-radius:8px;background:#fff;' +
      'font:inherit;cursor:pointer}.' + PFX + 'x:focus-visible{outline:2px solid #005bd3;outline-offset:2px}';
    d.head.appendChild(s);
  }

  function Widget(opts) {
    var c = config();
    this.o = {};
    for (var k in c) this.o[k] = c[k];
    for (k in opts || {}) if (opts[k] != null) this.o[k] = opts[k];
    if (!(this.o.shop || this.o.brand) || !this.o.productId || !this.o.host) {
      throw new Error('LuneoWidget.init needs shop (or brand), productId and host');
    }
    this.host = originOf(this.o.host);
    this.block = this.o.block || null;
    this.reopenToken = this.o.reopenToken || '';
    this.inCart = ''; // the design this widget last put in the cart (its line is replaced)
    this.session = null;
    this.overlay = null;
    this.frame = null;
    this.ready = false;
    this.refreshing = null;
    this.timer = 0;
    this._onMessage = this.onMessage.bind(this);
    this._onKey = this.onKey.bind(this);
    var self = this;
    this._onVariant = function () { self.setVariant(); };
    this.shownVariant = '';
  }

  var P = Widget.prototype;

  P.emit = function (name, detail) {
    var cb = this.o['on' + name];
    if (typeof cb === 'function') { try { cb(detail); } catch (e) { /* merchant callback */ } }
    (this.block || d).dispatchEvent(new CustomEvent('luneo:' + name.toLowerCase(),
      { bubbles: true, detail: detail }));
  };

  /** The query naming the storefront: a Shopify shop, or an API brand's own site. */
  P.where = function () {
    return this.o.shop ? { shop: this.o.shop } : { brand: this.o.brand };
  };

  P.token = function () {
    if (this.o.tokenUrl) {
      // The brand's backend mints the token (POST /v1/embed/tokens) for this page's origin.
      return fetch(this.o.tokenUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ origin: location.origin })
      }).then(json);
    }
    var q = this.where();
    q.origin = location.origin;
    return fetch(this.host + '/embed/token?' + qs(q), { credentials: 'omit' }).then(json);
  };

  P.validate = function (session) {
    return fetch(this.host + '/embed/validate?' + qs(this.where()), {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: session.token, nonce: session.nonce })
    }).then(json);
  };

  P.post = function (msg) {
    msg.luneo = 1;
    if (this.frame && this.frame.contentWindow) this.frame.contentWindow.postMessage(msg, this.host);
  };

  /** Fetch a fresh token, complete its handshake and hand it to the iframe (work is kept). */
  P.refresh = function () {
    var self = this;
    if (self.refreshing) return self.refreshing;
    self.refreshing = self.token().then(function (s) {
      return self.validate(s).then(function () { self.give(s); });
    }).catch(function (e) { self.fail(e); }).then(function () { self.refreshing = null; });
    return self.refreshing;
  };

  P.give = function (s) {
    var self = this;
    self.session = s;
    self.post({ type: 'token', token: s.token, expiresIn: s.expiresIn });
    clearTimeout(self.timer);
    self.timer = setTimeout(function () { self.refresh(); },
      Math.max(5, (s.expiresIn || 300) - MARGIN) * 1000);
  };

  P.variant = function () {
    var scope = (this.block && this.block.closest('form,section,main')) || d;
    var f = scope.querySelector('form[action*="/cart/add"] [name="id"]') ||
      d.querySelector('form[action*="/cart/add"] [name="id"]');
    return (f && f.value) || this.o.variantId;
  };

  /** The shopper's variant changed (or `id` is the brand page's new one): the widget shows
   * that variant's photo and print areas. */
  P.setVariant = function (id) {
    if (id != null && id !== '') this.o.variantId = String(id);
    var v = String(this.variant() || '');
    if (!this.frame || v === this.shownVariant) return;
    this.shownVariant = v;
    this.post({ type: 'variant', variantId: v });
  };

  P.quantity = function () {
    var q = d.querySelector('form[action*="/cart/add"] [name="quantity"]');
    var n = q ? parseInt(q.value, 10) : 1;
    return n > 0 && n < 1000 ? n : 1;
  };

  P.open = function () {
    var self = this;
    css();
    self.opener = d.activeElement;
    if (!self.overlay) self.build();
    self.overlay.hidden = false;
    self.lock(true);
    if (self.frame) {
      self.setVariant(); // picked while the dialog was closed
      self.frame.focus();
      self.post({ type: 'open' });
      return Promise.resolve();
    }
    self.say('loading');
    return self.token().then(function (s) {
      self.session = s;
      self.mount(s);
    }).catch(function (e) { self.fail(e); });
  };

  P.build = function () {
    var ov = d.createElement('div');
    ov.className = PFX + 'overlay';
    ov.setAttribute('role', 'dialog');
    ov.setAttribute('aria-modal', 'true');
    ov.setAttribute('aria-label', this.o.title || 'Personalize');
    ov.innerHTML = '<div class="' + PFX + 'panel"><div class="' + PFX + 'status" role="status"></div></div>';
    this.overlay = ov;
    this.status = ov.querySelector('.' + PFX + 'status');
    var self = this;
    ov.addEventListener('click', function (e) { if (e.target === ov) self.close(); });
    d.body.appendChild(ov);
    w.addEventListener('message', this._onMessage);
    d.addEventListener('keydown', this._onKey);
    // a theme's variant picker sets the product form's variant input and fires `change`;
    // some themes announce it as `variant:change`
    d.addEventListener('change', this._onVariant, true);
    d.addEventListener('variant:change', this._onVariant);
  };

  P.say = function (kind, text) {
    var st = this.status;
    st.hidden = false;
    st.textContent = '';
    if (kind === 'loading') {
      var sp = d.createElement('div');
      sp.className = PFX + 'spin';
      st.appendChild(sp);
      st.setAttribute('aria-label', 'Loading');
      return;
    }
    var p = d.createElement('p');
    p.textContent = text;
    var b = d.createElement('button');
    b.type = 'button';
    b.className = PFX + 'x';
    b.textContent = '\u00d7';
    b.setAttribute('aria-label', 'Close');
    b.addEventListener('click', this.close.bind(this));
    st.appendChild(p);
    st.appendChild(b);
    b.focus();
  };

  P.mount = function (s) {
    var f = d.createElement('iframe');
    f.className = PFX + 'frame';
    f.title = this.o.title || 'Personalize';
    // Scripts for the app; same-origin so it keeps Luneo's origin (its API calls, and the
    // origin we check its messages against). No forms, popups, top navigation or modals;
    // WebXR is allowed so the 3D tab's AR mode can start inside the frame.
    f.setAttribute('sandbox', 'allow-scripts allow-same-origin');
    f.setAttribute('allow', 'xr-spatial-tracking');
    f.setAttribute('referrerpolicy', 'strict-origin');
    var q = this.where();
    q.origin = location.origin;
    q.product = this.o.productId;
    q.variant = this.variant() || '';
    this.shownVariant = q.variant;
    q.locale = this.o.locale || d.documentElement.lang;
    q.page = pagePath();
    if (this.o.shop) { q.fee = this.feeMode(); q.feeUnit = this.feeMode() === 'units' ? String(Number(this.o.feeUnitCents) || '') : ''; }
    // The reopen token rides in the fragment with the nonce: never sent in a request line.
    var hash = 'nonce=' + encodeURIComponent(s.nonce);
    if (this.reopenToken) hash += '&design=' + encodeURIComponent(this.reopenToken);
    f.src = this.host + '/embed/widget?' + qs(q) + '#' + hash;
    this.frame = f;
    this.overlay.firstChild.insertBefore(f, this.status);
  };

  P.onMessage = function (e) {
    var m = e.data;
    if (!this.frame || e.source !== this.frame.contentWindow || e.origin !== this.host) return;
    if (!m || m.luneo !== 1 || typeof m.type !== 'string') return;
    var self = this;
    if (m.type === 'handshake') {
      var s = self.session;
      if (!s || self.handshook || m.nonce !== s.nonce) return self.fail(new Error('handshake'));
      self.handshook = true;
      self.validate(s).then(function () { self.give(s); }).catch(function (err) { self.fail(err); });
    } else if (m.type === 'ready') {
      self.ready = true;
      self.status.hidden = true;
      if (d.activeElement !== self.frame) self.frame.focus(); // never steal a typing shopper's caret
      self.emit('Ready', { productId: self.o.productId });
    } else if (m.type === 'refresh') {
      self.refresh();
    } else if (m.type === 'close') {
      self.close();
    } else if (m.type === 'preview' && typeof m.url === 'string') {
      self.show(m.url, m.summary);
    } else if (m.type === 'add-to-cart') {
      self.addToCart(m);
    }
  };

  P.onKey = function (e) {
    if (e.key === 'Escape' && this.overlay && !this.overlay.hidden) this.close();
  };

  P.show = function (url, summary) {
    if (!this.block || !/^https?:/.test(url)) return;
    var slot = this.block.querySelector('[data-luneo-preview]');
    if (!slot) return;
    var img = slot.querySelector('img');
    if (!img) {
      img = d.createElement('img');
      img.width = img.height = 96;
      img.setAttribute('data-luneo-preview-image', '');
      slot.insertBefore(img, slot.firstChild);
    }
    img.src = url;
    var t = slot.querySelector('[data-luneo-preview-text]');
    if (t) t.textContent = summary || '';
    img.alt = summary || '';
    slot.hidden = false;
    var label = this.block.querySelector('[data-luneo-label]');
    var edit = this.block.getAttribute('data-luneo-edit-label');
    if (label && edit) label.textContent = edit;
  };

  /** Hand the design to the page's own cart (any website): onAddToCart, then the event. */
  P.handOver = function (m) {
    var self = this;
    var detail = { designId: String(m.designId), price: m.price || null,
      summary: m.summary || '', previewUrl: m.previewUrl || '' };
    var cb = self.o.onAddToCart;
    var result;
    try { result = typeof cb === 'function' ? cb(detail) : undefined; } catch (e) { result = Promise.reject(e); }
    return Promise.resolve(result).then(function () {
      self.post({ type: 'cart-result', ok: true });
      (self.block || d).dispatchEvent(new CustomEvent('luneo:addtocart', { bubbles: true, detail: detail }));
      self.close();
    }).catch(function (e) {
      self.post({ type: 'cart-result', ok: false, message: (e && e.message) || String(e) });
      self.emit('Error', { code: (e && e.code) || 'cart_error', message: e && e.message });
    });
  };

  /**
   * How this shop's cart carries the fee: `transform` (Luneo's Cart Transform is active: one
   * line, exact price), `units` (fee-product units, rounded up) or `none` (no fee product).
   */
  P.feeMode = function () {
    var fee = Number(this.o.feeVariantId);
    if (!fee) return 'none';
    return this.o.feeMode === 'transform' ? 'transform' : 'units';
  };

  P.cartUrl = function (kind) {
    var o = this.o;
    var root = (w.Shopify && w.Shopify.routes && w.Shopify.routes.root) || '/';
    if (kind === 'add') return (o.cartAdd || root + 'cart/add') + '.js';
    if (kind === 'change') return (o.cartChange || root + 'cart/change') + '.js';
    return o.cartJs || root + 'cart.js';
  };

  P.cartPost = function (kind, body) {
    return fetch(this.cartUrl(kind), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body)
    }).then(json);
  };

  /**
   * Add the variant (and the fee: line attributes for the transform, or fee units). When the
   * design edits one already in the cart (`replaces`, or the design this widget added last),
   * that line is changed in place instead: cart/change.js with the new properties (Shopify
   * replaces them all), the shopper's quantity kept, and its fee-unit line re-counted.
   */
  P.addToCart = function (m) {
    var self = this;
    if (!self.o.shop) return self.handOver(m);
    var o = self.o;
    var props = {};
    for (var k in m.properties || {}) props[k] = String(m.properties[k]);
    props._luneo_design_id = String(m.designId);
    var fee = Number(o.feeVariantId);
    var unit = Number(o.feeUnitCents) || 100;
    // The server's price (finalize) is what the cart charges; the widget's own figure is
    // only used when the page gets no server price.
    var cents = m.price && m.price.addOnCents != null ? Number(m.price.addOnCents) : Number(m.addOnCents);
    m.addOnCents = cents;
    var units = cents > 0 && fee && self.feeMode() !== 'transform';
    if (cents > 0 && fee && self.feeMode() === 'transform') {
      props._luneo_fee_cents = String(cents);
      props._luneo_fee_variant = String(fee);
    }
    var feeProps = function (variant) {
      return { _luneo_design_id: String(m.designId), _luneo_fee_for: String(variant) };
    };
    var add = function () {
      var qty = self.quantity();
      var items = [{ id: Number(self.variant()), quantity: qty, properties: props }];
      if (units) items.push({ id: fee, quantity: Math.ceil(cents / unit) * qty, properties: feeProps(items[0].id) });
      return self.cartPost('add', { items: items });
    };
    var replaces = String(m.replaces || self.inCart || '');
    var done = !replaces ? add() :
      self.replaceLine(replaces, props, units ? { id: fee, unit: unit, cents: cents, props: feeProps } : null)
        .then(function (cart) { return cart || add(); });
    return done.then(function (cart) {
      self.inCart = String(m.designId);
      self.reopenToken = '';
      self.post({ type: 'cart-result', ok: true });
      self.show(m.previewUrl, m.summary);
      var detail = { designId: m.designId, items: cart.items || [], feeMissing: m.addOnCents > 0 && !fee,
        replaced: replaces || null };
      self.emit('AddToCart', detail);
      self.close();
      if (o.afterAdd === 'cart') location.href = o.cartUrl || '/cart';
    }).catch(function (e) {
      self.post({ type: 'cart-result', ok: false, message: e.message });
      self.emit('Error', { code: e.code || 'cart_error', message: e.message });
    });
  };

  /**
   * Put the new design on the cart line of design `old` (cart/change.js); resolves the cart,
   * or null when no line carries `old` any more (the shopper removed it: add instead).
   */
  P.replaceLine = function (old, props, units) {
    var self = this;
    return fetch(self.cartUrl('cart'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(json).then(function (cart) {
        var items = cart.items || [];
        var mine = function (l) { return l.properties && l.properties._luneo_design_id === old; };
        var line = null;
        var feeLine = null;
        items.forEach(function (l) {
          if (!mine(l)) return;
          if (l.properties._luneo_fee_for) feeLine = feeLine || l; else line = line || l;
        });
        if (!line) return null;
        var qty = line.quantity;
        var steps = [function () { return self.cartPost('change', { id: line.key, quantity: qty, properties: props }); }];
        var wanted = units ? Math.ceil(units.cents / units.unit) * qty : 0;
        if (feeLine && wanted) {
          steps.push(function () {
            return self.cartPost('change', { id: feeLine.key, quantity: wanted, properties: units.props(line.variant_id || line.id) });
          });
        } else if (feeLine) {
          steps.push(function () { return self.cartPost('change', { id: feeLine.key, quantity: 0 }); });
        } else if (wanted) {
          steps.push(function () {
            return self.cartPost('add', { items: [{ id: units.id, quantity: wanted, properties: units.props(line.variant_id || line.id) }] });
          });
        }
        return steps.reduce(function (p, step) { return p.then(step); }, Promise.resolve())
          .then(function () {
            return fetch(self.cartUrl('cart'), { credentials: 'same-origin', headers: { Accept: 'application/json' } });
          }).then(json);
      });
  };

  P.fail = function (e) {
    this.emit('Error', { code: (e && e.code) || 'unavailable', message: e && e.message });
    if (this.overlay && !this.ready) {
      this.say('error', this.o.errorText || 'Personalization is not available right now. Please try again later.');
      if (this.frame) { this.frame.remove(); this.frame = null; this.handshook = false; }
    }
  };

  P.lock = function (on) {
    var ov = this.overlay;
    Array.prototype.forEach.call(d.body.children, function (el) {
      if (el === ov) return;
      if (on && !el.inert) { el.inert = true; el.setAttribute('data-luneo-inert', ''); }
      if (!on && el.hasAttribute('data-luneo-inert')) { el.inert = false; el.removeAttribute('data-luneo-inert'); }
    });
    d.documentElement.style.overflow = on ? 'hidden' : '';
  };

  P.close = function () {
    if (!this.overlay || this.overlay.hidden) return;
    this.overlay.hidden = true;
    this.lock(false);
    if (!this.ready) this.destroyFrame();
    if (this.opener && this.opener.focus) this.opener.focus();
    this.emit('Close', {});
  };

  P.destroyFrame = function () {
    clearTimeout(this.timer);
    if (this.frame) this.frame.remove();
    this.frame = null;
    this.session = null;
    this.handshook = false;
  };

  P.destroy = function () {
    this.close();
    this.destroyFrame();
    w.removeEventListener('message', this._onMessage);
    d.removeEventListener('keydown', this._onKey);
    d.removeEventListener('change', this._onVariant, true);
    d.removeEventListener('variant:change', this._onVariant);
    if (this.overlay) this.overlay.remove();
    this.overlay = null;
  };

  var widgets = [];

  function fromBlock(block) {
    for (var i = 0; i < widgets.length; i++) if (widgets[i].block === block) return widgets[i];
    var data = block.dataset;
    var wgt = new Widget({
      block: block,
      productId: data.luneoProductId,
      variantId: data.luneoVariantId,
      title: data.luneoTitle,
      feeVariantId: data.luneoFeeVariantId,
      feeUnitCents: data.luneoFeeUnitCents,
      feeMode: data.luneoFeeMode,
      afterAdd: data.luneoAfterAdd,
      errorText: data.luneoErrorText
    });
    widgets.push(wgt);
    return wgt;
  }

  d.addEventListener('click', function (e) {
    var btn = e.target.closest && e.target.closest('[data-luneo-open]');
    var block = btn && btn.closest('[data-luneo-block]');
    if (!block) return;
    e.preventDefault();
    try { fromBlock(block).open(); } catch (err) { if (w.console) console.error(err); }
  });

  /** A reopen link (?luneo_design=<token>) opens the page's Luneo block with the design. */
  function reopenFromLink() {
    var token;
    try { token = new URL(location.href).searchParams.get(REOPEN); } catch (e) { return; }
    if (!token || token.length > 512) return; // the usual page: nothing to do at load
    if (d.readyState === 'loading') { d.addEventListener('DOMContentLoaded', reopenFromLink); return; }
    var block = d.querySelector('[data-luneo-block]');
    if (!block) return;
    // Out of the address bar, so a reload or a shared screenshot does not carry it.
    try { history.replaceState(history.state, '', pagePath()); } catch (e) { /* sandboxed */ }
    try {
      var wgt = fromBlock(block);
      wgt.reopenToken = token;
      wgt.open();
    } catch (err) { if (w.console) console.error(err); }
  }

  reopenFromLink();

  w.LuneoWidget = {
    version: '1.0.0',
    init: function (opts) { var x = new Widget(opts); widgets.push(x); return x; }
  };
})(window, document);
