// Photo upload and crop. The crop frame has the shape the photo is placed in (its slot, else
// the print area); the shopper drags the photo (pointer or arrow keys) and zooms with a slider.
// The effective dpi of the cropped region is shown live while zooming; below the merchant's
// minimum the server refuses the design (422 photo_resolution_too_low), so the widget says so
// before it is sent.

import { t } from './i18n.js';

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else if (v !== false && v != null) node.setAttribute(k, v === true ? '' : v);
  }
  node.append(...children.filter(Boolean));
  return node;
};

/** Verdict for `dpi` against `minDpi`: below it the server refuses the photo. */
export function verdict(dpi, minDpi) {
  return dpi >= minDpi ? 'good' : 'too_low';
}

export class Cropper {
  /**
   * @param {HTMLElement} root where to draw the cropper
   * @param {{url, width, height, area, minDpi, crop, onChange}} opts
   */
  constructor(root, opts) {
    this.o = opts;
    const { area } = opts;
    this.areaAspect = area.widthMm && area.heightMm ? area.widthMm / area.heightMm : 1;
    const imgAspect = opts.width / opts.height;
    this.bw = imgAspect > this.areaAspect ? this.areaAspect / imgAspect : 1;
    this.bh = imgAspect > this.areaAspect ? 1 : imgAspect / this.areaAspect;
    this.zoom = 1;
    this.cx = 0.5;
    this.cy = 0.5;
    if (opts.crop && opts.crop.width > 0) {
      this.zoom = Math.min(4, Math.max(1, this.bw / opts.crop.width));
      this.cx = opts.crop.x + opts.crop.width / 2;
      this.cy = opts.crop.y + opts.crop.height / 2;
    }
    const id = `crop-${Math.random().toString(36).slice(2, 8)}`;
    this.img = el('img', { src: opts.url, alt: '', draggable: 'false' });
    this.frame = el(
      'div',
      { class: 'crop__frame', tabindex: '0', role: 'group', 'aria-label': t('cropLabel'), 'aria-describedby': `${id}-help` },
      this.img,
    );
    this.frame.style.aspectRatio = String(this.areaAspect);
    this.slider = el('input', { type: 'range', id: `${id}-zoom`, min: '1', max: '4', step: '0.01', value: String(this.zoom) });
    this.quality = el('p', { class: 'quality', role: 'status' });
    root.replaceChildren(
      this.frame,
      el('div', { class: 'crop__zoom' }, el('label', { for: `${id}-zoom`, text: t('zoom') }), this.slider),
      el('p', { class: 'hint', id: `${id}-help`, text: t('cropHelp') }),
      this.quality,
    );
    this.bind();
    this.img.addEventListener('load', () => this.layout());
    new ResizeObserver(() => this.layout()).observe(this.frame);
    this.update(false);
  }

  bind() {
    let drag = null;
    this.frame.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY, cx: this.cx, cy: this.cy };
      this.frame.setPointerCapture(e.pointerId);
    });
    this.frame.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const { w, h } = this.shown();
      this.cx = drag.cx - (e.clientX - drag.x) / w;
      this.cy = drag.cy - (e.clientY - drag.y) / h;
      this.update(false);
    });
    const end = () => {
      if (drag) this.update(true);
      drag = null;
    };
    this.frame.addEventListener('pointerup', end);
    this.frame.addEventListener('pointercancel', end);
    this.frame.addEventListener('keydown', (e) => {
      const step = 0.02 / this.zoom;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (moves[e.key]) {
        this.cx += moves[e.key][0];
        this.cy += moves[e.key][1];
      } else if (e.key === '+' || e.key === '=') {
        this.zoom = Math.min(4, this.zoom + 0.1);
      } else if (e.key === '-') {
        this.zoom = Math.max(1, this.zoom - 0.1);
      } else {
        return;
      }
      e.preventDefault();
      this.slider.value = String(this.zoom);
      this.update(true);
    });
    this.slider.addEventListener('input', () => {
      this.zoom = Number(this.slider.value);
      this.update(false);
    });
    this.slider.addEventListener('change', () => this.update(true));
  }

  region() {
    const cw = this.bw / this.zoom;
    const ch = this.bh / this.zoom;
    this.cx = Math.min(1 - cw / 2, Math.max(cw / 2, this.cx));
    this.cy = Math.min(1 - ch / 2, Math.max(ch / 2, this.cy));
    return { x: this.cx - cw / 2, y: this.cy - ch / 2, width: cw, height: ch };
  }

  shown() {
    const r = this.region();
    const box = this.frame.getBoundingClientRect();
    return { w: box.width / r.width, h: box.height / r.height, r };
  }

  layout() {
    const { w, h, r } = this.shown();
    this.img.style.width = `${w}px`;
    this.img.style.height = `${h}px`;
    this.img.style.transform = `translate(${-r.x * w}px, ${-r.y * h}px)`;
  }

  /** Redraw; with `commit`, tell the owner (which re-renders the server preview). */
  update(commit) {
    const crop = this.region();
    this.layout();
    const { area, width, height, minDpi } = this.o;
    const dpi = Math.round(
      Math.min((crop.width * width) / (area.widthMm / 25.4), (crop.height * height) / (area.heightMm / 25.4)),
    );
    const level = verdict(dpi, minDpi);
    this.quality.className = `quality quality--${level}`;
    this.quality.textContent = t(level, { dpi, min: minDpi });
    const rounded = Object.fromEntries(Object.entries(crop).map(([k, v]) => [k, Math.round(v * 10000) / 10000]));
    this.o.onChange({ crop: rounded, dpi, verdict: level }, commit);
  }
}

export { el };
