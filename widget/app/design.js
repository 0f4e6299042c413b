// What the shopper's choices mean: visible options, the design's layers and options for the
// designs API, the price add-on and a readable summary for the cart line. Pure functions.

import { merchantLabel, money, t } from './i18n.js';

export const DEFAULT_COLOR = '#1f2a44';

/** Whether an option is shown, given the current values (`showWhen: {option, equals}`). */
export function visible(option, values) {
  const cond = option.showWhen;
  if (!cond || !cond.option) return true;
  return values[cond.option] === cond.equals;
}

export function visibleOptions(product, values) {
  return product.options.filter((o) => visible(o, values));
}

/** Fonts the shopper may pick for a text option (catalog entries, in the merchant's order). */
export function fontsFor(product, option) {
  const allowed = option.fonts && option.fonts.length ? option.fonts : null;
  return allowed ? product.fonts.filter((f) => allowed.includes(f.id)) : product.fonts;
}

/** The material in force for a print area: the shopper's pick, or the only one offered. */
export function materialFor(product, values, area) {
  const option = product.options.find(
    (o) => o.type === 'material' && visible(o, values) && (!o.printArea || o.printArea === area),
  );
  if (option) return values[option.id] ?? null;
  const offered = product.materials;
  return offered && offered.length === 1 ? offered[0] : null;
}

function colorFor(product, values, area) {
  const option = product.options.find(
    (o) => o.type === 'color' && visible(o, values) && (!o.printArea || o.printArea === area),
  );
  const value = option ? values[option.id] : null;
  return typeof value === 'string' && /^#[0-9a-f]{6}$/i.test(value) ? value : DEFAULT_COLOR;
}

function areaOf(product, option) {
  return option.printArea || (product.printAreas[0] && product.printAreas[0].id);
}

/** Where the shopper put an option's layer inside its slot (fractions of the slot). */
export function placementOf(state, option) {
  const place = (state.place && state.place[option.id]) || {};
  return {
    x: typeof place.x === 'number' ? place.x : 0.5,
    y: typeof place.y === 'number' ? place.y : 0.5,
    scale: typeof place.scale === 'number' ? place.scale : 1,
    rotation: typeof place.rotation === 'number' ? place.rotation : 0,
    size: typeof place.size === 'number' ? place.size : null,
  };
}

/** The text size range the merchant allows for a text option, in points. */
export function sizeRange(option) {
  const low = Number(option.minSize) || 4;
  const high = Number(option.maxSize) || 500;
  return [Math.min(low, high), Math.max(low, high)];
}

function placed(layer, option) {
  // The slot and arc ride along for the sketch; the server takes them from the template.
  if (option.slot) {
    layer.slot = option.slot;
    if (layer.type === 'text' && option.slot.arcRadiusMm) {
      layer.arcRadiusMm = (option.slot.arcDirection === 'smile' ? 1 : -1) * option.slot.arcRadiusMm;
    }
  }
  if (!option.synthetic) layer.optionId = option.id;
  return layer;
}

/** Layers for the designs API (and the live sketch), in the merchant's stacking order:
 * each in its option's slot, where the shopper placed it. */
export function buildLayers(product, state) {
  const { values, fonts } = state;
  const layers = [];
  const shown = visibleOptions(product, values);
  for (const option of shown) {
    const area = areaOf(product, option);
    const place = placementOf(state, option);
    const value = values[option.id];
    if (option.type === 'image' && value && value.uploadId) {
      const layer = {
        type: 'image',
        printArea: area,
        uploadId: value.uploadId,
        crop: value.crop || { x: 0, y: 0, width: 1, height: 1 },
        scale: place.scale,
        x: place.x,
        y: place.y,
        rotation: place.rotation,
      };
      const material = materialFor(product, values, area);
      if (material && product.materials && !product.materials.includes(null)) layer.material = material;
      layers.push(placed(layer, option));
    } else if (option.type === 'ai' && state.prompt && !option.synthetic) {
      layers.push(
        placed(
          { type: 'ai', printArea: area, prompt: state.prompt, seed: 0, x: place.x, y: place.y, scale: place.scale, rotation: place.rotation },
          option,
        ),
      );
    }
  }
  const texts = shown.filter((o) => o.type === 'text' && String(values[o.id] || '').trim());
  const perArea = {};
  for (const option of texts) {
    const area = areaOf(product, option);
    (perArea[area] = perArea[area] || []).push(option);
  }
  for (const [area, options] of Object.entries(perArea)) {
    options.forEach((option, i) => {
      const material = materialFor(product, values, area);
      const place = placementOf(state, option);
      const layer = {
        type: 'text',
        printArea: area,
        text: String(values[option.id]).trim(),
        font: fonts[option.id] || fontsFor(product, option)[0]?.id,
        autoFit: true,
        align: 'center',
        color: colorFor(product, values, area),
        x: option.slot ? place.x : 0.5,
        y: option.slot ? place.y : (i + 1) / (options.length + 1),
        rotation: place.rotation,
      };
      const size = place.size ?? (option.maxSize ? Number(option.maxSize) : null);
      if (size) layer.size = size;
      if (material) layer.material = material;
      layers.push(placed(layer, option));
    });
  }
  const z = (layer) => (layer.slot && typeof layer.slot.z === 'number' ? layer.slot.z : 0);
  return layers.map((layer, i) => [layer, i]).sort((a, b) => z(a[0]) - z(b[0]) || a[1] - b[1]).map((p) => p[0]);
}

/** The `options` object for the designs API: only the template's own, visible options. */
export function buildOptions(product, state) {
  const out = {};
  for (const option of visibleOptions(product, state.values)) {
    if (option.synthetic) continue;
    const value = state.values[option.id];
    if (option.type === 'image') {
      if (value && value.uploadId) out[option.id] = value.uploadId;
    } else if (option.type === 'ai') {
      if (state.prompt) out[option.id] = state.prompt;
    } else if (value !== undefined && value !== '') {
      out[option.id] = option.type === 'text' ? String(value).trim() : value;
    }
  }
  return out;
}

function used(option, state) {
  const value = state.values[option.id];
  if (option.type === 'text') return Boolean(String(value || '').trim());
  if (option.type === 'image') return Boolean(value && value.uploadId);
  if (option.type === 'ai') return Boolean(state.prompt);
  return value !== undefined && value !== '';
}

/** Price add-on in cents: used options' own price plus the chosen values' prices. */
export function addOnCents(product, state) {
  let cents = 0;
  for (const option of visibleOptions(product, state.values)) {
    if (!used(option, state)) continue;
    cents += Number(option.priceCents) || 0;
    const chosen = (option.values || []).find((v) => v.value === state.values[option.id]);
    if (chosen) cents += Number(chosen.priceCents) || 0;
  }
  return cents;
}

/** The price add-on itemised for the shopper's consent: [{label, cents}] of paid choices. */
export function priceLines(product, state) {
  const lines = [];
  for (const option of visibleOptions(product, state.values)) {
    if (!used(option, state)) continue;
    const own = Number(option.priceCents) || 0;
    if (own > 0) lines.push({ label: labelOf(option), cents: own });
    const chosen = (option.values || []).find((v) => v.value === state.values[option.id]);
    if (chosen && Number(chosen.priceCents) > 0) {
      lines.push({ label: `${labelOf(option)}: ${valueLabel(option, chosen.value)}`, cents: Number(chosen.priceCents) });
    }
  }
  return lines;
}

/** How the shop's cart carries a fee of ``cents`` (per item): exactly, or in fee units rounded up. */
export function feeCharge(cents, feeMode, unitCents) {
  const unit = Number(unitCents) || 0;
  if (cents <= 0 || feeMode !== 'units' || unit <= 0) return { cents, units: 0, unitCents: 0, rounded: false };
  const units = Math.ceil(cents / unit);
  return { cents: units * unit, units, unitCents: unit, rounded: units * unit !== cents };
}

/** Label of an option for the shopper (merchant's label, else a sensible default). */
export function labelOf(option) {
  // the pattern generator is never presented as AI, whatever the option is called
  if (option.type === 'ai' && option.artwork && option.artwork.provider === 'procedural') return t('pattern');
  const own = merchantLabel(option, option.label);
  if (own) return own;
  return { text: t('yourText'), material: t('finish'), color: t('color'), image: t('photo'), ai: t('ai') }[
    option.type
  ] || t('choice');
}

/** Label of a choice value: merchant label, else the material's name, else the value. */
export function valueLabel(option, value) {
  const entry = (option.values || []).find((v) => v.value === value);
  const own = entry ? merchantLabel(entry, entry.label) : null;
  if (own) return own;
  if (option.type === 'material') return t(value === null ? 'print' : value);
  return String(value);
}

/** "Name: Jessica · Font: Dancing Script · Finish: Gold" — visible on the cart line. */
export function summary(product, state) {
  const parts = [];
  for (const option of visibleOptions(product, state.values)) {
    if (!used(option, state)) continue;
    const value = state.values[option.id];
    if (option.type === 'text') {
      parts.push(`${labelOf(option)}: ${String(value).trim()}`);
      const font = product.fonts.find((f) => f.id === state.fonts[option.id]) || fontsFor(product, option)[0];
      if (font) parts.push(`${t('font')}: ${font.name}`);
    } else if (option.type === 'image') {
      parts.push(`${t('summaryPhoto')}: ${t('uploaded')}`);
    } else if (option.type === 'ai') {
      parts.push(`${t('summaryAi')}: ${state.prompt}`);
    } else {
      parts.push(`${labelOf(option)}: ${valueLabel(option, value)}`);
    }
  }
  return parts.join(' · ');
}

export function priceText(cents, currency) {
  return cents > 0 ? t('plus', { price: money(cents, currency) }) : t('included');
}
