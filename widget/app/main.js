// The widget app inside the sandboxed iframe: handshake, product, form, previews, cart.
//
// While the shopper types, the sketch (canvas) redraws at once; when they pause, the server
// renders the real preview, which replaces the sketch. The shopper's work lives in memory and
// in sessionStorage, so token refreshes, closing and reopening the dialog lose nothing.

import { api, follow } from './api.js';
import * as bridge from './bridge.js';
import {
  addOnCents,
  buildLayers,
  buildOptions,
  feeCharge,
  priceLines,
  priceText,
  summary,
  visibleOptions,
} from './design.js';
import { renderForm } from './form.js';
import { money, setLocale, t } from './i18n.js';
import { Cropper } from './photo.js';
import { Placer } from './placer.js';
import { loadFont, photoFor, Sketch } from './preview.js';
import { openSaved, reopenUrl, showSavedLink, stateFromDesign } from './saved.js';
import { setupThreeD } from './view3d.js';

// The pause after the last change before the server preview is asked for. The sketch is
// redrawn at once either way; 200 ms lets a word be typed without a render per letter
// (bench/preview_latency.py measures last keystroke -> server preview shown).
const PAUSE_MS = 200;
const config = JSON.parse(document.getElementById('luneo-widget-config').textContent);
const $ = (id) => document.getElementById(id);
const storeKey = `luneo:${config.shop}:${config.productId}`;
// A reopen token (saved design or cart line) rides in the fragment, read before the bridge
// clears it.
const reopenToken = new URLSearchParams(location.hash.slice(1)).get('design') || '';

let product = null;
let sketch = null;
let placer = null;
let state = { values: {}, fonts: {}, prompt: '', photos: {}, place: {}, artworkUrl: '', variantId: '' };
let baseLook = null; // the product's own photo and print areas (variants without their own)
let timer = 0;
let shownKey = '';
let visibleKey = '';
let adding = false;
let replaces = ''; // the design whose cart line the next add replaces (a reopened design)
const pending = new Map(); // content key -> Promise<design>

setLocale(config.locale, config.labelLocale, config.shopperLocale);
for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
for (const node of document.querySelectorAll('[data-t-label]')) node.setAttribute('aria-label', t(node.dataset.tLabel));

bridge.on('firstToken', boot);
bridge.on('open', () => $('title').focus());
bridge.on('cart-result', cartResult);
bridge.on('variant', (msg) => switchVariant(typeof msg.variantId === 'string' ? msg.variantId : ''));
bridge.start(config.parentOrigin);
$('close').addEventListener('click', () => bridge.send({ type: 'close' }));
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') bridge.send({ type: 'close' });
});
$('add').addEventListener('click', addToCart);
$('save').addEventListener('click', saveForLater);

async function boot() {
  try {
    product = await api(`/embed/products/${encodeURIComponent(config.productId)}`);
  } catch (err) {
    if (err.status === 402) fatal(`${t('unavailable')} ${t('stillBuyable')}`);
    else fatal(err.status === 404 ? t('unavailable') : t('error'));
    return;
  }
  const reopened = reopenToken ? await reopen(reopenToken) : false;
  if (!reopened) restore();
  baseLook = { imageUrl: product.imageUrl, imageSrcset: product.imageSrcset, printAreas: product.printAreas };
  applyVariant(config.variantId);
  $('title').textContent = `${t('title')} · ${product.title}`;
  $('sketch').setAttribute('aria-label', t('liveLabel'));
  sketch = new Sketch($('sketch'), product);
  placer = new Placer($('view-2d'), $('placer-bar'), {
    product,
    get state() {
      return state;
    },
    sketch,
    onChange: (commit) => (commit ? changed() : redraw()),
  });
  const ctx = formContext();
  renderForm($('fields'), ctx);
  setupThreeD({ product, ensureDesign, hasContent: () => Boolean(content().layers.length || state.prompt) });
  visibleKey = visibleIds();
  // Ready as soon as the form is usable; the sketch is redrawn once the chosen fonts arrive.
  const chosen = Object.entries(state.fonts).map(([optionId, id]) => {
    const text = state.values[optionId];
    return loadFont(product.fonts.find((f) => f.id === id), typeof text === 'string' ? text : '');
  });
  Promise.all(chosen).then(() => redraw());
  await redraw();
  $('app').removeAttribute('aria-busy');
  // Move focus into the dialog, unless the shopper is already typing in it.
  if (!document.activeElement || document.activeElement === document.body) $('title').focus();
  bridge.send({ type: 'ready' });
  new ResizeObserver(() => redraw()).observe($('sketch'));
  if (content().layers.length || state.prompt) schedule(0);
  if (reopened === null) $('cart-error').textContent = t('reopenGone');
}

/** Restore the design a reopen token names: true when restored, null when the token is no
 * longer good (expired, another shop's), false when it is for another product. */
async function reopen(token) {
  let saved;
  try {
    saved = await openSaved(token);
  } catch {
    return null;
  }
  if (saved.productId !== product.productId) return false;
  apply(stateFromDesign(product, saved));
  replaces = saved.designId;
  persist();
  return true;
}

/** The variant the merchant set up for `id` (its photo and print areas), else the product's
 * own look; a variant not set up is not sent to the server (the product's own is drawn). */
function applyVariant(id) {
  const variant = (product.variants || []).find((v) => v.id === String(id || '')) || null;
  const look = variant || baseLook;
  state.variantId = variant ? variant.id : '';
  product.imageUrl = look.imageUrl;
  product.imageSrcset = look.imageSrcset;
  product.printAreas = look.printAreas;
  return variant;
}

/** The shopper picked another variant on the page: redraw on its photo and print areas. */
function switchVariant(id) {
  if (!product || !sketch) {
    config.variantId = id;
    return;
  }
  const before = state.variantId;
  applyVariant(id);
  if (state.variantId === before) return;
  sketch.setPhoto(photoFor(product, $('sketch')));
  changed();
}

function fatal(message) {
  $('app').removeAttribute('aria-busy');
  $('layout').hidden = true;
  $('buy').hidden = true;
  $('fatal').hidden = false;
  $('fatal-text').textContent = message;
  $('close').focus();
  bridge.send({ type: 'ready' });
}

function formContext() {
  return {
    product,
    state,
    changed,
    redraw,
    upload,
    crop,
    generate,
  };
}

function visibleIds() {
  return visibleOptions(product, state.values)
    .map((o) => o.id)
    .join('|');
}

/** Something changed: redraw now, re-render the server preview after a pause. */
function changed() {
  if (visibleIds() !== visibleKey) {
    visibleKey = visibleIds();
    renderForm($('fields'), formContext());
  }
  persist();
  redraw();
  schedule(PAUSE_MS);
}

function content() {
  const layers = buildLayers(product, state);
  const options = buildOptions(product, state);
  const key = JSON.stringify([layers, options, state.prompt || '', state.variantId]);
  return { layers, options, key };
}

async function redraw() {
  if (!sketch) return;
  const { layers, key } = content();
  const cents = addOnCents(product, state);
  $('price').textContent = priceText(cents, product.currency);
  const img = $('server-preview');
  if (key !== shownKey) {
    img.classList.add('stale');
    setStatus(t('live'));
  }
  const photos = {};
  for (const value of Object.values(state.values)) {
    if (value && value.uploadId) photos[value.uploadId] = value.url;
  }
  if (state.artworkUrl && state.prompt) photos.artwork = state.artworkUrl;
  await sketch.draw(layers, photos);
  if (placer) placer.render();
}

function setStatus(text, kind = '') {
  const node = $('preview-status');
  node.textContent = text;
  node.dataset.kind = kind;
}

function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(() => serverPreview().catch(() => {}), delay);
}

/** The design for the current content, created once per content (cached by the server too). */
function ensureDesign() {
  const { layers, options, key } = content();
  if (!pending.has(key)) {
    const body = { productId: product.productId, layers, options, previewMode: 'fast' };
    if (state.prompt) body.prompt = state.prompt;
    if (state.variantId) body.variantId = state.variantId;
    const promise = createAndWait(body).then((design) => ({ ...design, key }));
    promise.catch(() => pending.delete(key));
    if (pending.size > 40) pending.delete(pending.keys().next().value);
    pending.set(key, promise);
  }
  return pending.get(key);
}

async function createAndWait(body, onStatus) {
  const created = await api('/v1/designs', { method: 'POST', body });
  const id = created.designId;
  if (onStatus) onStatus({ status: created.status });
  const ready = (d) => Boolean(d.previewUrl) || d.status === 'failed';
  let design =
    created.status === 'queued' || created.status === 'rendering'
      ? await follow(id, ready, { onStatus })
      : await api(`/v1/designs/${encodeURIComponent(id)}`);
  if (!design.previewUrl && design.status !== 'failed') design = await follow(id, ready, { onStatus });
  if (design.status === 'failed' || !design.previewUrl) {
    const err = new Error((design.error && design.error.message) || t('previewFailed'));
    err.code = (design.error && design.error.code) || 'preview_failed';
    throw err;
  }
  return design;
}

async function serverPreview() {
  const { layers, key } = content();
  if (!layers.length && !state.prompt) {
    shownKey = '';
    $('server-preview').hidden = true;
    setStatus(t('live'));
    return;
  }
  setStatus(t('updating'), 'busy');
  let design;
  try {
    design = await ensureDesign();
  } catch (err) {
    if (content().key === key) setStatus(messageOf(err), 'error');
    throw err;
  }
  if (content().key !== key) return; // the shopper changed something meanwhile
  await show(design);
}

function show(design) {
  const img = $('server-preview');
  // the artwork, once made, is drawn by the sketch too (while the shopper moves it)
  const art = (design.layers || []).find((l) => l.type === 'ai' && l.artworkUrl);
  if (art && art.artworkUrl !== state.artworkUrl) {
    state.artworkUrl = art.artworkUrl;
    redraw();
  }
  return new Promise((resolve) => {
    img.onload = () => {
      if (content().key === design.key) {
        img.classList.remove('stale');
        shownKey = design.key;
        setStatus(t('updated'), 'done');
        bridge.send({ type: 'preview', url: design.previewUrl, summary: summary(product, state) });
      }
      resolve();
    };
    img.onerror = () => resolve();
    img.alt = t('previewLabel', { product: product.title });
    img.hidden = false;
    if (img.src === design.previewUrl) img.onload();
    else img.src = design.previewUrl;
  });
}

function messageOf(err) {
  if (err && err.code === 'photo_resolution_too_low' && err.details) {
    return t('too_low', { dpi: err.details.effectiveDpi, min: err.details.minDpi });
  }
  // The shop's plan, not the shopper: never show them the merchant's upgrade message.
  if (err && err.status === 402 && err.code !== 'ai_budget_exhausted') return `${t('unavailable')} ${t('stillBuyable')}`;
  if (err && err.details && typeof err.details === 'object') {
    const first = Object.values(err.details)[0];
    if (typeof first === 'string') return `${err.message} ${first}`;
  }
  return (err && err.message) || t('error');
}

async function upload(option, file) {
  const form = new FormData();
  form.append('file', file);
  form.append('productId', product.productId);
  if (option.printArea) form.append('printArea', option.printArea);
  form.append('optionId', option.id);
  form.append('consent', 'true'); // the shopper ticked the consent box (form.js)
  const answer = await api('/v1/uploads', { method: 'POST', body: form });
  state.values[option.id] = {
    uploadId: answer.uploadId,
    url: answer.url,
    width: answer.width,
    height: answer.height,
    quality: answer.printQuality,
    crop: null,
  };
  changed();
}

/** The size (mm) a photo of `option` is fitted into, as the engine and the server's grading
 * place it: its slot in the print area (the merchant's or the read-time layout), else the area. */
function placedArea(option) {
  const area = product.printAreas.find((a) => a.id === option.printArea) || product.printAreas[0];
  const slot = option.slot;
  if (!slot || !(slot.width > 0) || !(slot.height > 0)) return area;
  return { ...area, widthMm: area.widthMm * slot.width, heightMm: area.heightMm * slot.height };
}

function crop(option, container, photo) {
  new Cropper(container, {
    url: photo.url,
    width: photo.width,
    height: photo.height,
    area: placedArea(option), // the crop frame has the slot's shape; dpi at the slot's size
    crop: photo.crop,
    minDpi: (photo.quality && photo.quality.minDpi) || option.minDpi || 150,
    onChange: (result, commit) => {
      photo.crop = result.crop;
      photo.verdict = result.verdict;
      if (commit) changed();
      else redraw();
    },
  });
}

async function generate(prompt, progress) {
  state.prompt = prompt;
  persist();
  redraw();
  clearTimeout(timer);
  const { layers, options, key } = content();
  const body = { productId: product.productId, layers, options, prompt, previewMode: 'fast' };
  if (state.variantId) body.variantId = state.variantId;
  const onStatus = (d) => progress(d.status === 'queued' ? 'queued' : 'rendering');
  const promise = createAndWait(body, onStatus).then((d) => ({ ...d, key }));
  pending.set(key, promise);
  promise.catch(() => pending.delete(key));
  setStatus(t('updating'), 'busy');
  const design = await promise;
  if (content().key === key) await show(design);
}

async function addToCart() {
  if (adding) return;
  const error = $('cart-error');
  error.textContent = '';
  const { layers } = content();
  if (!layers.length && !state.prompt) {
    error.textContent = t('nothing');
    const first = $('fields').querySelector('input:not([type=hidden]):not(.sr-only), textarea');
    if (first) first.focus();
    return;
  }
  busy(true);
  clearTimeout(timer);
  try {
    const design = await ensureDesign();
    if (content().key === design.key) await show(design);
    const final = await api(`/v1/designs/${encodeURIComponent(design.designId)}/finalize`, {
      method: 'POST',
      body: { contentHash: design.contentHash },
    });
    const link = await api(`/embed/designs/${encodeURIComponent(design.designId)}/preview-link`);
    const editUrl = reopenUrl(config, link.editToken);
    const text = summary(product, state);
    if (!(await confirmPrice(final.price))) {
      busy(false);
      return;
    }
    bridge.send({
      type: 'add-to-cart',
      designId: design.designId,
      previewUrl: link.previewUrl,
      summary: text,
      addOnCents: addOnCents(product, state),
      price: final.price, // the server's price: what the page's cart should charge
      properties: { [t('propSummary')]: text, [t('propPreview')]: link.previewUrl, [t('propEdit')]: editUrl },
      replaces: replaces || undefined,
    });
  } catch (err) {
    error.textContent = messageOf(err);
    busy(false);
  }
}

/**
 * Buyer consent: the personalization price itemised, how the cart will carry it (exactly, or
 * in fee units rounded up, said before adding), and an explicit confirmation. Resolves true
 * on "Confirm and add to cart", false on "Back" or Escape.
 */
function confirmPrice(serverPrice) {
  const cents = serverPrice ? serverPrice.addOnCents : addOnCents(product, state);
  const currency = (serverPrice && serverPrice.currency) || product.currency;
  const list = $('confirm-lines');
  list.replaceChildren();
  for (const line of priceLines(product, state)) {
    const item = document.createElement('li');
    const label = document.createElement('span');
    label.textContent = line.label;
    const price = document.createElement('span');
    price.textContent = money(line.cents, currency);
    item.append(label, price);
    list.append(item);
  }
  const charge = feeCharge(cents, config.feeMode, config.feeUnitCents);
  $('confirm-total').textContent = cents > 0 ? `${money(charge.cents, currency)} ${t('confirmEach')}` : t('included');
  let note = '';
  if (cents <= 0) note = t('noFee');
  else if (charge.rounded || charge.units) {
    note = t(charge.rounded ? 'confirmUnits' : 'confirmUnitsExact', {
      unit: money(charge.unitCents, currency),
      units: charge.units,
      price: money(charge.cents, currency),
      exact: money(cents, currency),
    });
  } else if (config.feeMode === 'transform') note = t('confirmExact');
  else if (config.feeMode === 'page') note = t('confirmPage');
  $('confirm-note').textContent = note;
  const panel = $('confirm');
  const opener = document.activeElement;
  panel.hidden = false;
  $('confirm-title').focus();
  return new Promise((resolve) => {
    const done = (ok) => {
      panel.hidden = true;
      $('confirm-add').removeEventListener('click', yes);
      $('confirm-back').removeEventListener('click', no);
      panel.removeEventListener('keydown', key, true);
      if (!ok && opener && opener.focus) opener.focus();
      resolve(ok);
    };
    const yes = () => done(true);
    const no = () => done(false);
    const key = (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        done(false);
      }
    };
    $('confirm-add').addEventListener('click', yes);
    $('confirm-back').addEventListener('click', no);
    panel.addEventListener('keydown', key, true);
  });
}

/** Save the current design (a draft kept for the saved-design retention) and show its link. */
async function saveForLater() {
  const button = $('save');
  if (button.disabled) return;
  const error = $('cart-error');
  error.textContent = '';
  if (!content().layers.length && !state.prompt) {
    error.textContent = t('nothing');
    return;
  }
  button.disabled = true;
  button.textContent = t('saving');
  clearTimeout(timer);
  try {
    const design = await ensureDesign();
    if (content().key === design.key) await show(design);
    const answer = await api(`/embed/designs/${encodeURIComponent(design.designId)}/save`, { method: 'POST', body: {} });
    showSavedLink(config, answer);
  } catch (err) {
    error.textContent = messageOf(err);
  } finally {
    button.disabled = false;
    button.textContent = t('save');
  }
}

function cartResult(msg) {
  busy(false);
  if (msg.ok) {
    replaces = '';
    setStatus(t('added'), 'done');
  } else {
    $('cart-error').textContent = msg.message || t('error');
  }
}

function busy(on) {
  adding = on;
  const button = $('add');
  button.disabled = on;
  button.setAttribute('aria-busy', on ? 'true' : 'false');
  button.textContent = on ? t('adding') : t('addToCart');
}

function persist() {
  try {
    const values = {};
    for (const [k, v] of Object.entries(state.values)) values[k] = v;
    sessionStorage.setItem(storeKey, JSON.stringify({ values, fonts: state.fonts, prompt: state.prompt, place: state.place }));
  } catch {
    /* storage may be unavailable (private mode, partitioning): work stays in memory */
  }
}

function restore() {
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(storeKey) || 'null');
  } catch {
    saved = null;
  }
  if (saved) apply(saved);
}

/** Take the saved parts of a shopper's work that still fit the product. */
function apply(saved) {
  const known = new Set(product.options.map((o) => o.id));
  for (const [k, v] of Object.entries(saved.values || {})) if (known.has(k)) state.values[k] = v;
  for (const [k, v] of Object.entries(saved.fonts || {})) {
    if (known.has(k) && product.fonts.some((f) => f.id === v)) state.fonts[k] = v;
  }
  state.prompt = typeof saved.prompt === 'string' ? saved.prompt : '';
  for (const [k, v] of Object.entries(saved.place || {})) {
    if (known.has(k) && v && typeof v === 'object') state.place[k] = v;
  }
}
