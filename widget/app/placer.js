// Handles to place the shopper's photo, text and artwork inside their slots: drag to move,
// drag the corner (or pinch with two fingers) to resize, drag the round handle (or twist two
// fingers) to turn; arrows, + / −, [ / ], C and Ctrl+Z on the keyboard. Positions snap to
// the slot's centre lines; every gesture can be undone. The slot itself is the merchant's:
// the layer's centre never leaves it, and the render engine clips the layer to it.

import { labelOf, placementOf, sizeRange } from './design.js';
import { t } from './i18n.js';
import { toCanvas, toSlot } from './slots.js';

const SNAP = 0.025; // fraction of the slot within which the centre lines catch
const SCALE = [0.2, 4];
const UNDO_DEPTH = 50;

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== false && v !== undefined && v !== null) node.setAttribute(k, v === true ? '' : v);
  }
  node.append(...children);
  return node;
};
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const normAngle = (deg) => Math.round(((((deg + 180) % 360) + 360) % 360 - 180) * 10) / 10;

export class Placer {
  /** `frame`: the preview figure; `bar`: where the arrange tools go; `ctx`: {product, state,
   * sketch, onChange(commit)}. */
  constructor(frame, bar, ctx) {
    this.frame = frame;
    this.ctx = ctx;
    this.selected = null;
    this.undoStack = [];
    this.pointers = new Map();
    this.gesture = null;
    this.layer = el('div', { class: 'placer', id: 'placer' });
    this.guides = [el('span', { class: 'placer__guide placer__guide--v', hidden: true }), el('span', { class: 'placer__guide placer__guide--h', hidden: true })];
    this.slotOutline = el('span', { class: 'placer__slot', hidden: true, 'aria-hidden': 'true' });
    this.layer.append(this.slotOutline, ...this.guides);
    frame.append(this.layer);
    this.picker = el('div', { class: 'placer-bar__layers', role: 'group', 'aria-label': t('arrange') });
    this.centreButton = el('button', { type: 'button', class: 'chip-button', disabled: true }, t('centre'));
    this.undoButton = el('button', { type: 'button', class: 'chip-button', disabled: true }, t('undo'));
    this.resetButton = el('button', { type: 'button', class: 'chip-button', disabled: true }, t('resetPlace'));
    this.help = el('p', { class: 'placer-bar__help', id: 'placer-help' }, t('arrangeHelp'));
    this.bar = bar;
    bar.append(
      el('div', { class: 'placer-bar__row' }, el('span', { class: 'placer-bar__title' }, t('arrange')), this.picker, this.centreButton, this.undoButton, this.resetButton),
      this.help,
    );
    this.centreButton.addEventListener('click', () => this.edit((p) => Object.assign(p, { x: 0.5, y: 0.5 }), true));
    this.undoButton.addEventListener('click', () => this.undo());
    this.resetButton.addEventListener('click', () => this.edit((p) => { for (const k of Object.keys(p)) delete p[k]; }, true));
    this.layer.addEventListener('pointerdown', (e) => this.down(e));
    this.layer.addEventListener('pointermove', (e) => this.move(e));
    this.layer.addEventListener('pointerup', (e) => this.up(e));
    this.layer.addEventListener('pointercancel', (e) => this.up(e));
    this.layer.addEventListener('keydown', (e) => this.key(e));
  }

  get state() {
    return this.ctx.state;
  }

  option(id) {
    return this.ctx.product.options.find((o) => o.id === id);
  }

  place(id) {
    this.state.place = this.state.place || {};
    return (this.state.place[id] = this.state.place[id] || {});
  }

  /** Redraw the handles from where the sketch drew each layer. */
  render() {
    const boxes = (this.ctx.sketch && this.ctx.sketch.boxes) || {};
    const ids = Object.keys(boxes).filter((id) => this.option(id) && this.option(id).slot);
    if (this.selected && !ids.includes(this.selected)) this.selected = null;
    this.bar.hidden = !ids.length;
    const rect = this.frame.getBoundingClientRect();
    for (const node of this.layer.querySelectorAll('.placer__box')) {
      if (!ids.includes(node.dataset.option)) node.remove();
    }
    // the layer picker, in the form's order
    const want = ids.join('|');
    if (this.picker.dataset.ids !== want) {
      this.picker.dataset.ids = want;
      this.picker.replaceChildren(
        ...ids.map((id) =>
          el('button', { type: 'button', class: 'chip-button', 'data-option': id, 'aria-pressed': String(id === this.selected) }, labelOf(this.option(id))),
        ),
      );
      for (const b of this.picker.children) b.addEventListener('click', () => this.select(b.dataset.option, true));
    }
    for (const b of this.picker.children) b.setAttribute('aria-pressed', String(b.dataset.option === this.selected));
    for (const id of ids) {
      const box = boxes[id];
      const k = rect.width / box.canvas.width;
      const ky = rect.height / box.canvas.height;
      let node = this.layer.querySelector(`.placer__box[data-option="${CSS.escape(id)}"]`);
      if (!node) {
        node = el(
          'div',
          { class: 'placer__box', 'data-option': id, tabindex: '0', role: 'group', 'aria-label': t('layerBox', { n: ids.indexOf(id) + 1 }), 'aria-describedby': 'placer-help' },
          el('span', { class: 'placer__handle placer__handle--resize', 'data-handle': 'resize', 'aria-hidden': 'true' }),
          el('span', { class: 'placer__handle placer__handle--rotate', 'data-handle': 'rotate', 'aria-hidden': 'true' }),
        );
        node.addEventListener('focus', () => this.select(id));
        this.layer.append(node);
      }
      const centre = toCanvas(box.frame, box.x, box.y);
      const w = Math.max(24, box.w * k);
      const h = Math.max(24, box.h * ky);
      node.style.width = `${w}px`;
      node.style.height = `${h}px`;
      node.style.left = `${centre.x * k - w / 2}px`;
      node.style.top = `${centre.y * ky - h / 2}px`;
      node.style.transform = `rotate(${box.frame.rotation + box.rotation}deg)`;
      node.classList.toggle('is-selected', id === this.selected);
    }
    const chosen = this.selected && boxes[this.selected];
    this.slotOutline.hidden = !chosen;
    if (chosen) {
      const f = chosen.frame;
      const k = rect.width / chosen.canvas.width;
      const ky = rect.height / chosen.canvas.height;
      Object.assign(this.slotOutline.style, {
        width: `${f.w * k}px`, height: `${f.h * ky}px`, left: `${f.cx * k - (f.w * k) / 2}px`, top: `${f.cy * ky - (f.h * ky) / 2}px`,
        transform: `rotate(${f.rotation}deg)`,
      });
    }
    this.centreButton.disabled = !this.selected;
    this.resetButton.disabled = !this.selected;
    this.undoButton.disabled = !this.undoStack.length;
  }

  select(id, focus = false) {
    if (this.selected !== id) {
      this.selected = id;
      this.render();
    }
    if (focus) {
      const node = this.layer.querySelector(`.placer__box[data-option="${CSS.escape(id)}"]`);
      if (node) node.focus({ preventScroll: true });
    }
  }

  snapshot() {
    this.undoStack.push(JSON.stringify(this.state.place || {}));
    if (this.undoStack.length > UNDO_DEPTH) this.undoStack.shift();
  }

  undo() {
    if (!this.undoStack.length) return;
    this.state.place = JSON.parse(this.undoStack.pop());
    this.ctx.onChange(true);
  }

  /** Change the selected layer's placement with `fn(place)`, keeping it inside its slot. */
  edit(fn, commit, undoable = true) {
    const id = this.selected;
    if (!id) return;
    if (undoable) this.snapshot();
    const place = this.place(id);
    fn(place, this.option(id));
    this.keepInside(place, this.option(id));
    this.ctx.onChange(commit);
  }

  keepInside(place, option) {
    if (typeof place.x === 'number') place.x = Math.round(clamp(place.x, 0, 1) * 10000) / 10000;
    if (typeof place.y === 'number') place.y = Math.round(clamp(place.y, 0, 1) * 10000) / 10000;
    if (typeof place.scale === 'number') place.scale = Math.round(clamp(place.scale, ...SCALE) * 1000) / 1000;
    if (typeof place.rotation === 'number') place.rotation = normAngle(place.rotation);
    if (typeof place.size === 'number') place.size = Math.round(clamp(place.size, ...sizeRange(option)) * 10) / 10;
  }

  /** The text's current size in points: the shopper's, else what fits (at most the max). */
  textSize(id) {
    const option = this.option(id);
    const current = placementOf(this.state, option).size;
    const box = this.ctx.sketch.boxes[id];
    const [, high] = sizeRange(option);
    return current || Math.min(high, (box && box.fitPt) || high);
  }

  resize(id, ratio, start) {
    const option = this.option(id);
    const place = this.place(id);
    if (option.type === 'text') place.size = start.size * ratio;
    else place.scale = start.scale * ratio;
  }

  canvasPoint(e) {
    const rect = this.frame.getBoundingClientRect();
    const box = this.ctx.sketch.boxes[this.selected];
    return { x: ((e.clientX - rect.left) * box.canvas.width) / rect.width, y: ((e.clientY - rect.top) * box.canvas.height) / rect.height };
  }

  down(e) {
    const node = e.target.closest('.placer__box');
    if (this.pointers.size === 0) {
      if (!node) {
        this.select(null);
        return;
      }
      this.select(node.dataset.option);
    }
    if (!this.selected) return;
    e.preventDefault();
    this.layer.setPointerCapture(e.pointerId);
    this.pointers.set(e.pointerId, this.canvasPoint(e));
    const id = this.selected;
    const place = placementOf(this.state, this.option(id));
    const start = { ...place, size: this.textSize(id) };
    const box = this.ctx.sketch.boxes[id];
    const centre = toCanvas(box.frame, box.x, box.y);
    this.snapshot();
    if (this.pointers.size === 2) {
      const [a, b] = [...this.pointers.values()];
      this.gesture = { kind: 'pinch', start, dist: Math.hypot(b.x - a.x, b.y - a.y), angle: Math.atan2(b.y - a.y, b.x - a.x) };
      this.undoStack.pop(); // one gesture, one undo step
    } else {
      const handle = e.target.closest('[data-handle]');
      const p = this.pointers.get(e.pointerId);
      this.gesture = { kind: handle ? handle.dataset.handle : 'move', start, from: p, centre, frame: box.frame, dist: Math.max(4, Math.hypot(p.x - centre.x, p.y - centre.y)) };
    }
  }

  move(e) {
    if (!this.gesture || !this.pointers.has(e.pointerId)) return;
    const p = this.canvasPoint(e);
    this.pointers.set(e.pointerId, p);
    const g = this.gesture;
    const id = this.selected;
    const place = this.place(id);
    this.guides.forEach((guide) => (guide.hidden = true));
    if (g.kind === 'pinch' && this.pointers.size >= 2) {
      const [a, b] = [...this.pointers.values()];
      this.resize(id, Math.hypot(b.x - a.x, b.y - a.y) / Math.max(1, g.dist), g.start);
      place.rotation = g.start.rotation + ((Math.atan2(b.y - a.y, b.x - a.x) - g.angle) * 180) / Math.PI;
    } else if (g.kind === 'move') {
      const d = toSlot(g.frame, p.x - g.from.x, p.y - g.from.y);
      let x = g.start.x + d.x;
      let y = g.start.y + d.y;
      if (Math.abs(x - 0.5) < SNAP) { x = 0.5; this.showGuide(0, g.frame); }
      if (Math.abs(y - 0.5) < SNAP) { y = 0.5; this.showGuide(1, g.frame); }
      place.x = x;
      place.y = y;
    } else if (g.kind === 'resize') {
      this.resize(id, Math.hypot(p.x - g.centre.x, p.y - g.centre.y) / g.dist, g.start);
    } else if (g.kind === 'rotate') {
      let deg = (Math.atan2(p.y - g.centre.y, p.x - g.centre.x) * 180) / Math.PI + 90 - g.frame.rotation;
      const step = e.shiftKey ? 15 : 45;
      const nearest = Math.round(deg / step) * step;
      if (e.shiftKey || Math.abs(deg - nearest) < 4) deg = nearest; // upright and square angles catch
      place.rotation = deg;
    }
    this.keepInside(place, this.option(id));
    this.ctx.onChange(false);
  }

  up(e) {
    if (!this.pointers.has(e.pointerId)) return;
    this.pointers.delete(e.pointerId);
    if (this.pointers.size) return;
    const g = this.gesture;
    this.gesture = null;
    this.guides.forEach((guide) => (guide.hidden = true));
    if (!g) return;
    const before = this.undoStack[this.undoStack.length - 1];
    if (before === JSON.stringify(this.state.place || {})) this.undoStack.pop(); // a click, not a move
    this.ctx.onChange(true);
  }

  showGuide(axis, frame) {
    const guide = this.guides[axis];
    const rect = this.frame.getBoundingClientRect();
    const box = this.ctx.sketch.boxes[this.selected];
    const k = rect.width / box.canvas.width;
    const ky = rect.height / box.canvas.height;
    const long = axis === 0 ? frame.h : frame.w;
    Object.assign(guide.style, {
      left: `${frame.cx * k}px`, top: `${frame.cy * ky - (long * ky) / 2}px`, height: `${long * ky}px`,
      transform: `rotate(${frame.rotation + (axis === 0 ? 0 : 90)}deg)`,
    });
    guide.hidden = false;
  }

  key(e) {
    const node = e.target.closest('.placer__box');
    if (!node) return;
    this.select(node.dataset.option);
    const step = e.shiftKey ? 0.05 : 0.01;
    const id = this.selected;
    const keys = {
      ArrowLeft: (p) => (p.x = placementOf(this.state, this.option(id)).x - step),
      ArrowRight: (p) => (p.x = placementOf(this.state, this.option(id)).x + step),
      ArrowUp: (p) => (p.y = placementOf(this.state, this.option(id)).y - step),
      ArrowDown: (p) => (p.y = placementOf(this.state, this.option(id)).y + step),
      '+': (p) => this.resize(id, 1.05, { ...placementOf(this.state, this.option(id)), size: this.textSize(id) }) ?? p,
      '=': (p) => this.resize(id, 1.05, { ...placementOf(this.state, this.option(id)), size: this.textSize(id) }) ?? p,
      '-': (p) => this.resize(id, 1 / 1.05, { ...placementOf(this.state, this.option(id)), size: this.textSize(id) }) ?? p,
      '[': (p) => (p.rotation = placementOf(this.state, this.option(id)).rotation - (e.shiftKey ? 15 : 5)),
      ']': (p) => (p.rotation = placementOf(this.state, this.option(id)).rotation + (e.shiftKey ? 15 : 5)),
      c: (p) => Object.assign(p, { x: 0.5, y: 0.5 }),
      C: (p) => Object.assign(p, { x: 0.5, y: 0.5 }),
    };
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
      e.preventDefault();
      this.undo();
      return;
    }
    const fn = keys[e.key] || (e.code === 'BracketLeft' ? keys['['] : e.code === 'BracketRight' ? keys[']'] : null);
    if (!fn || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    e.stopPropagation();
    this.edit(fn, true);
  }
}


