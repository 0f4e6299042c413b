// The shopper's form, built from the product's options: text with a live character count,
// font and material pickers (native radio groups: arrow keys, labels, focus rings), colours,
// choices, photo upload with crop, and the AI prompt with its progress bar.

import { fontsFor, labelOf, priceText, valueLabel, visible } from './design.js';
import { t } from './i18n.js';
import { el } from './photo.js';
import { family, loadFont } from './preview.js';

// Element ids derive from option ids, so a rebuilt form keeps focus where the shopper was.
const keyOf = (option) => `o-${String(option.id).replace(/[^A-Za-z0-9_-]/g, '_')}`;

function priceTag(cents, currency) {
  return cents > 0 ? el('span', { class: 'tag', text: priceText(cents, currency) }) : null;
}

/** Run `load` once `node` is on screen (font cards below the fold fetch nothing). */
function whenShown(node, load) {
  if (!('IntersectionObserver' in window)) return load();
  const seen = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) {
      seen.disconnect();
      load();
    }
  });
  seen.observe(node);
}

/** Radio cards in a fieldset; `render(value, label)` draws one card's content. */
function radioGroup({ legend, name, items, selected, onPick, className, price }) {
  const legendId = `${name}-legend`;
  const group = el('div', { class: `cards ${className}` });
  for (const [index, item] of items.entries()) {
    const id = `${name}-${index}`;
    const input = el('input', {
      type: 'radio',
      class: 'sr-only',
      name,
      id,
      value: item.key,
      checked: item.key === selected,
    });
    input.addEventListener('change', () => input.checked && onPick(item.value));
    const card = el('label', { class: 'card', for: id }, ...item.render());
    group.append(input, card);
  }
  return el(
    'fieldset',
    { class: 'field', 'aria-labelledby': legendId },
    el('legend', { id: legendId, class: 'label' }, legend, price || ''),
    group,
  );
}

function textField(ctx, option) {
  const { state, product } = ctx;
  const id = `${keyOf(option)}-text`;
  const countId = `${id}-count`;
  const max = Number(option.maxChars) || 40;
  const value = String(state.values[option.id] ?? option.default ?? '');
  state.values[option.id] = value;
  const input = el('input', {
    type: 'text',
    id,
    class: 'input',
    maxlength: String(max),
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: option.placeholder || t('placeholder'),
    'aria-describedby': countId,
    value,
  });
  const count = el('p', { class: 'count', id: countId });
  const showCount = () => {
    const n = [...input.value].length;
    count.textContent = n >= max ? `${t('charsFull')} (${n}/${max})` : t('chars', { n, max });
    count.classList.toggle('count--full', n >= max);
  };
  showCount();
  const fonts = fontsFor(product, option);
  if (!state.fonts[option.id] || !fonts.some((f) => f.id === state.fonts[option.id])) {
    state.fonts[option.id] = fonts[0] && fonts[0].id;
  }
  const samples = [];
  input.addEventListener('input', () => {
    state.values[option.id] = input.value;
    showCount();
    samples.forEach((s) => (s.textContent = input.value.trim() || 'Aa'));
    ctx.changed();
    // A letter of another script (Ł, Ω, Ж) needs that subset of the font for the sketch.
    const chosen = fonts.find((f) => f.id === state.fonts[option.id]);
    loadFont(chosen, input.value).then(() => ctx.redraw());
  });
  const parts = [
    el(
      'div',
      { class: 'field' },
      el('label', { class: 'label', for: id }, labelOf(option), priceTag(option.priceCents, product.currency) || ''),
      input,
      count,
    ),
  ];
  if (fonts.length > 1) {
    parts.push(
      radioGroup({
        legend: t('font'),
        name: `${keyOf(option)}-font`,
        className: 'cards--fonts',
        selected: state.fonts[option.id],
        onPick: (fontId) => {
          state.fonts[option.id] = fontId;
          loadFont(fonts.find((f) => f.id === fontId), input.value).then(() => ctx.changed());
        },
        items: fonts.map((font) => ({
          key: font.id,
          value: font.id,
          render: () => {
            const sample = el('span', { class: 'card__sample', 'aria-hidden': 'true', text: value.trim() || 'Aa' });
            sample.style.fontFamily = family(font);
            samples.push(sample);
            whenShown(sample, () => loadFont(font, input.value));
            return [sample, el('span', { class: 'card__name', text: font.name })];
          },
        })),
      }),
    );
  }
  return parts;
}

function valuesField(ctx, option) {
  const { state, product } = ctx;
  const values = option.values || [];
  if (!(option.id in state.values) && values.length) {
    state.values[option.id] = option.default !== undefined ? option.default : values[0].value;
  }
  const kind = option.type === 'material' ? 'material' : option.type === 'color' ? 'color' : 'choice';
  return [
    radioGroup({
      legend: labelOf(option),
      name: `${keyOf(option)}-${kind}`,
      className: `cards--${kind}`,
      selected: JSON.stringify(state.values[option.id]),
      price: priceTag(option.priceCents, product.currency),
      onPick: (value) => {
        state.values[option.id] = value;
        ctx.changed({ structure: true });
      },
      items: values.map((entry) => ({
        key: JSON.stringify(entry.value),
        value: entry.value,
        render: () => {
          const swatch = el('span', { class: `swatch swatch--${entry.value === null ? 'print' : entry.value}`, 'aria-hidden': 'true' });
          if (kind === 'color' && /^#[0-9a-f]{6}$/i.test(entry.color || entry.value)) {
            swatch.style.background = entry.color || entry.value;
          }
          const out = [el('span', { class: 'card__name', text: valueLabel(option, entry.value) })];
          if (kind !== 'choice') out.unshift(swatch);
          if (entry.priceCents > 0) out.push(el('span', { class: 'card__price', text: priceText(entry.priceCents, product.currency) }));
          return out;
        },
      })),
    }),
  ];
}

function imageField(ctx, option) {
  const { product } = ctx;
  const id = `${keyOf(option)}-photo`;
  const consentId = `${id}-consent`;
  const file = el('input', { type: 'file', id, class: 'sr-only', accept: 'image/jpeg,image/png,image/webp,image/heic,image/heif' });
  const pick = el('label', { for: id, class: 'button' }, el('span', { text: t('upload') }));
  const consent = el('input', { type: 'checkbox', id: consentId, class: 'checkbox' });
  const remove = el('button', { type: 'button', class: 'button button--plain', text: t('remove'), hidden: true });
  const status = el('p', { class: 'hint', role: 'status' });
  const crop = el('div', { class: 'crop' });
  const field = el(
    'div',
    { class: 'field' },
    el('span', { class: 'label', id: `${id}-label` }, labelOf(option), priceTag(option.priceCents, product.currency) || ''),
    el('div', { class: 'check' }, consent, el('label', { for: consentId, text: t('consent') })),
    el('div', { class: 'row' }, pick, remove),
    status,
    crop,
  );
  file.addEventListener('change', async () => {
    const chosen = file.files && file.files[0];
    file.value = '';
    if (!chosen) return;
    if (!consent.checked) {
      status.textContent = t('consentNeeded');
      consent.focus();
      return;
    }
    status.textContent = t('uploading');
    try {
      await ctx.upload(option, chosen);
      status.textContent = '';
      show();
    } catch (err) {
      // below the merchant's minimum print quality: say it in the shopper's language
      const low = err && err.code === 'photo_resolution_too_low' && err.details;
      status.textContent = low ? t('too_low', { dpi: low.effectiveDpi, min: low.minDpi }) : err.message || t('error');
    }
  });
  remove.addEventListener('click', () => {
    delete ctx.state.values[option.id];
    crop.replaceChildren();
    remove.hidden = true;
    pick.firstChild.textContent = t('upload');
    ctx.changed({ structure: true });
    pick.focus();
  });
  const show = () => {
    const photo = ctx.state.values[option.id];
    if (!photo || !photo.uploadId) return;
    consent.checked = true;
    remove.hidden = false;
    pick.firstChild.textContent = t('replace');
    ctx.crop(option, crop, photo);
  };
  show();
  return [file, field];
}

function aiField(ctx, option) {
  const id = `${keyOf(option)}-prompt`;
  const area = el('textarea', { id, class: 'input', rows: '3', maxlength: '500', placeholder: t('aiPlaceholder') });
  area.value = ctx.state.prompt || '';
  const go = el('button', { type: 'button', class: 'button', text: t('generate') });
  const bar = el('div', { class: 'progress', role: 'progressbar', 'aria-label': t('ai'), 'aria-valuemin': '0', 'aria-valuemax': '100', hidden: true }, el('span'));
  const status = el('p', { class: 'hint', role: 'status' });
  const progress = (stage) => {
    const pct = { queued: 20, rendering: 60, done: 100 }[stage] ?? 5;
    bar.hidden = stage === 'idle';
    bar.setAttribute('aria-valuenow', String(pct));
    bar.firstChild.style.width = `${pct}%`;
    status.textContent = { queued: t('queued'), rendering: t('rendering'), done: t('aiDone'), failed: t('aiFailed') }[stage] || '';
  };
  go.addEventListener('click', async () => {
    const prompt = area.value.trim();
    if (!prompt) return area.focus();
    go.disabled = true;
    go.textContent = t('generating');
    progress('queued');
    try {
      await ctx.generate(prompt, progress);
      progress('done');
    } catch (err) {
      progress('failed');
      if (err && err.message) status.textContent = `${t('aiFailed')} ${err.message}`;
    } finally {
      go.disabled = false;
      go.textContent = t('generate');
    }
  });
  return [
    el(
      'div',
      { class: 'field' },
      el('label', { class: 'label', for: id }, labelOf(option), priceTag(option.priceCents, ctx.product.currency) || ''),
      option.artwork ? el('p', { class: 'hint', text: t(option.artwork.provider === 'procedural' ? 'madeByPattern' : 'madeByAi') }) : null,
      area,
      el('div', { class: 'row' }, go),
      bar,
      status,
    ),
  ];
}

const BUILDERS = { text: textField, material: valuesField, color: valuesField, choice: valuesField, image: imageField, ai: aiField };

/** (Re)build the form for the options visible with the current values. */
export function renderForm(root, ctx) {
  const focusedId = document.activeElement && document.activeElement.id;
  const nodes = [];
  for (const option of ctx.product.options) {
    if (!visible(option, ctx.state.values)) continue;
    const build = BUILDERS[option.type];
    if (build) nodes.push(el('section', { class: 'group', 'data-option': option.id }, ...build(ctx, option)));
  }
  root.replaceChildren(...nodes);
  if (focusedId && document.getElementById(focusedId)) document.getElementById(focusedId).focus();
}
