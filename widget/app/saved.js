// Saved designs: "Save for later" (an account-less reopen link), and reopening one (from that
// link or from the cart line's "Edit design" link): the design's choices, text, fonts, photo
// and placement become the widget's state again.

import { api } from './api.js';
import { t } from './i18n.js';

const PARAM = 'luneo_design'; // the storefront SDK opens the widget for this query parameter

/** The page link that reopens a design: the storefront page the widget was opened on. */
export function reopenUrl(config, token) {
  const url = new URL(config.page || '/', config.parentOrigin);
  url.searchParams.set(PARAM, token);
  return url.toString();
}

/** The saved design a reopen token names (404/410 as ApiError). */
export function openSaved(token) {
  return api('/embed/saved', { method: 'POST', body: { token } });
}

function placeOf(layer, keys) {
  const place = {};
  for (const key of keys) if (typeof layer[key] === 'number') place[key] = layer[key];
  return place;
}

/**
 * The widget state ({values, fonts, prompt, place}) that rebuilds `saved` (a design as
 * POST /embed/saved answers it) on `product`. Only the product's own options and fonts are
 * taken; a photo whose file is gone is left out.
 */
export function stateFromDesign(product, saved) {
  const state = { values: {}, fonts: {}, prompt: '', place: {} };
  const byId = new Map(product.options.map((o) => [o.id, o]));
  for (const [id, value] of Object.entries(saved.options || {})) {
    const option = byId.get(id);
    if (!option || option.type === 'image' || option.type === 'ai' || option.type === 'text') continue;
    state.values[id] = value;
  }
  const synthetic = (type, area) =>
    product.options.find((o) => o.synthetic && o.type === type && (!area || o.printArea === area));
  for (const layer of saved.layers || []) {
    const option = (layer.optionId && byId.get(layer.optionId)) || (layer.type === 'text' ? synthetic('text', layer.printArea) : null);
    if (layer.material) {
      const material = synthetic('material');
      if (material && !(material.id in state.values)) state.values[material.id] = layer.material;
    }
    if (!option) continue;
    if (layer.type === 'text' && typeof layer.text === 'string') {
      state.values[option.id] = layer.text;
      if (layer.font && product.fonts.some((f) => f.id === layer.font)) state.fonts[option.id] = layer.font;
      state.place[option.id] = placeOf(layer, option.slot ? ['x', 'y', 'rotation', 'size'] : ['rotation', 'size']);
    } else if (layer.type === 'image' && layer.uploadId) {
      const photo = (saved.photos || {})[layer.uploadId];
      if (!photo) continue;
      state.values[option.id] = {
        uploadId: layer.uploadId,
        url: photo.url,
        width: photo.width,
        height: photo.height,
        quality: null,
        crop: layer.crop || null,
      };
      state.place[option.id] = placeOf(layer, ['x', 'y', 'scale', 'rotation']);
    } else if (layer.type === 'ai') {
      state.place[option.id] = placeOf(layer, ['x', 'y', 'scale', 'rotation']);
    }
  }
  state.prompt = typeof saved.prompt === 'string' ? saved.prompt : '';
  return state;
}

function dateText(iso, locale) {
  try {
    return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-US', { dateStyle: 'long' }).format(new Date(iso));
  } catch {
    return iso.slice(0, 10);
  }
}

/**
 * Show the saved design's link in the "saved" panel until the shopper closes it (Done or
 * Escape); focus goes back to where it was.
 */
export function showSavedLink(config, answer) {
  const $ = (id) => document.getElementById(id);
  const panel = $('saved');
  const input = $('saved-link');
  const opener = document.activeElement;
  input.value = reopenUrl(config, answer.token);
  $('saved-note').textContent = t('savedNote', { date: dateText(answer.expiresAt, config.locale) });
  $('saved-copied').textContent = '';
  panel.hidden = false;
  $('saved-title').focus();
  const copy = async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      document.execCommand('copy'); // older browsers, or clipboard not allowed in the frame
    }
    $('saved-copied').textContent = t('copied');
  };
  const close = () => {
    panel.hidden = true;
    $('saved-copy').removeEventListener('click', copy);
    $('saved-done').removeEventListener('click', close);
    panel.removeEventListener('keydown', key, true);
    if (opener && opener.focus) opener.focus();
  };
  const key = (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      close();
    }
  };
  $('saved-copy').addEventListener('click', copy);
  $('saved-done').addEventListener('click', close);
  panel.addEventListener('keydown', key, true);
}
