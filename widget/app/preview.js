// The instant, client-side sketch of the design drawn while the shopper types: the product
// photo, each print area clipped to its shape, photos and text auto-fitted like the render
// engine does (90 % of the area), materials approximated with gradients. The server preview
// replaces it when the shopper pauses.

import { MM_PER_PT, slotFrame, slotOf } from './slots.js';

const MATERIAL_STOPS = {
  gold: ['#4d300b', '#bd8c38', '#f2cc75', '#fff5cc'],
  silver: ['#45484c', '#9ea1a8', '#dcdde2', '#ffffff'],
  'rose-gold': ['#5c2e24', '#c2806b', '#edb8a3', '#ffebe0'],
  'black-anodized': ['#5c5e63', '#b3b5ba', '#edeef2'],
  'wood-burn': ['#3d1f0d', '#5a3418'],
  'glass-etch': ['#eef2f4', '#ffffff'],
};

const FALLBACK = { serif: 'serif', sans: 'sans-serif', script: 'cursive', handwriting: 'cursive',
  monospace: 'monospace', display: 'sans-serif', slab: 'serif' };

/** CSS font-family for a catalog font (the webfont, then a generic family of its kind). */
export function family(font) {
  return font ? `"luneo-${font.id}", ${FALLBACK[font.category] || 'sans-serif'}` : 'sans-serif';
}

const registered = new Set();
const loaded = new Map();

/** Add a catalog font's faces once: its WOFF2 subsets, each with its unicode-range, so the
 * browser fetches only the scripts the text uses (the whole file for older catalogs). */
function register(font) {
  if (registered.has(font.id)) return;
  registered.add(font.id);
  const faces = font.faces && font.faces.length ? font.faces : [{ url: font.url }];
  for (const face of faces) {
    const descriptors = { display: 'swap' };
    if (face.unicodeRange) descriptors.unicodeRange = face.unicodeRange;
    document.fonts.add(new FontFace(`luneo-${font.id}`, `url(${face.url})`, descriptors));
  }
}

/** Load what a catalog font needs to draw `text`; resolves when it can be drawn. */
export function loadFont(font, text = '') {
  if (!font) return Promise.resolve();
  register(font);
  const sample = text && text.trim() ? text : 'Aa';
  const key = `${font.id}\u0000${[...new Set(sample)].sort().join('')}`;
  if (!loaded.has(key)) {
    loaded.set(key, document.fonts.load(`16px "luneo-${font.id}"`, sample).catch(() => null));
  }
  return loaded.get(key);
}

/** The lightest copy of the product photo that still fills the canvas at this screen's
 * pixel density (the original only when no copy is offered). */
export function photoFor(product, canvas) {
  const copies = product.imageSrcset || [];
  if (!copies.length) return product.imageUrl;
  const needed = Math.max(1, canvas.getBoundingClientRect().width) * (window.devicePixelRatio || 1);
  const fits = copies.find((copy) => copy.width >= needed);
  return (fits || copies[copies.length - 1]).url;
}

export class Sketch {
  constructor(canvas, product) {
    this.canvas = canvas;
    this.product = product;
    this.photo = null;
    this.images = new Map();
    this.ready = this.loadImage(photoFor(product, canvas)).then((img) => {
      this.photo = img;
    });
  }

  /** Draw on another product photo from now on (the shopper picked another variant). */
  setPhoto(url) {
    this.ready = this.loadImage(url).then((img) => {
      this.photo = img;
    });
    return this.ready;
  }

  loadImage(url) {
    if (!url) return Promise.resolve(null);
    if (!this.images.has(url)) {
      this.images.set(
        url,
        new Promise((resolve) => {
          const img = new Image();
          img.onload = () => resolve(img);
          img.onerror = () => resolve(null);
          img.src = url;
        }),
      );
    }
    return this.images.get(url);
  }

  /** Draw the photo and `layers` (with `photos`: uploadId -> preview URL). */
  async draw(layers, photos = {}) {
    await this.ready;
    const { canvas, product } = this;
    const ratio = window.devicePixelRatio || 1;
    const box = canvas.getBoundingClientRect();
    const size = Math.max(1, Math.round(box.width * ratio));
    const aspect = this.photo ? this.photo.naturalWidth / this.photo.naturalHeight : 1;
    const width = size;
    const height = Math.round(size / aspect);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const images = {};
    for (const layer of layers) {
      const url = layer.type === 'ai' ? photos.artwork : photos[layer.uploadId];
      if ((layer.type === 'image' || layer.type === 'ai') && url) images[url] = await this.loadImage(url);
    }
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = product.background || '#eeeeee';
    ctx.fillRect(0, 0, width, height);
    if (this.photo) ctx.drawImage(this.photo, 0, 0, width, height);
    // Where each layer was drawn (canvas pixels), for the handles that place it.
    this.boxes = {};
    this.size = { width, height };
    for (const area of product.printAreas) {
      const mine = layers.filter((l) => l.printArea === area.id);
      if (!mine.length) continue;
      const w = area.width * width;
      const h = area.height * height;
      ctx.save();
      ctx.translate((area.x + area.width / 2) * width, (area.y + area.height / 2) * height);
      ctx.rotate(((area.rotation || 0) * Math.PI) / 180);
      clip(ctx, area.mask, w, h);
      for (const layer of mine) {
        // the layer's slot: its own frame, clipped (render/layout.py)
        const slot = slotOf(layer);
        const frame = slotFrame(area, slot, width, height);
        ctx.save();
        ctx.translate((slot.x + slot.width / 2 - 0.5) * w, (slot.y + slot.height / 2 - 0.5) * h);
        ctx.rotate(((slot.rotation || 0) * Math.PI) / 180);
        ctx.beginPath();
        ctx.rect(-frame.w / 2, -frame.h / 2, frame.w, frame.h);
        ctx.clip();
        let box = null;
        if (layer.type === 'image' || layer.type === 'ai') {
          const url = layer.type === 'ai' ? photos.artwork : photos[layer.uploadId];
          box = drawPhoto(ctx, url ? images[url] : null, layer, frame.w, frame.h);
        } else {
          box = drawText(ctx, layer, this.product, frame);
        }
        ctx.restore();
        if (box && layer.optionId) this.boxes[layer.optionId] = { ...box, frame, canvas: { width, height } };
      }
      ctx.restore();
    }
  }
}

function clip(ctx, mask, w, h) {
  ctx.beginPath();
  if (mask === 'ellipse') ctx.ellipse(0, 0, w / 2, h / 2, 0, 0, Math.PI * 2);
  else if (mask === 'rounded' && ctx.roundRect) ctx.roundRect(-w / 2, -h / 2, w, h, Math.min(w, h) * 0.12);
  else ctx.rect(-w / 2, -h / 2, w, h);
  ctx.clip();
}

/** Draw a picture fitted to its slot (w x h), scaled, moved and turned; returns its box. */
function drawPhoto(ctx, img, layer, w, h) {
  const cx = (layer.x - 0.5) * w;
  const cy = (layer.y - 0.5) * h;
  const rotation = layer.rotation || 0;
  if (!img) {
    // artwork still being made: a quiet placeholder where it will go
    const side = Math.min(w, h) * 0.9 * (layer.scale || 1);
    ctx.save();
    ctx.translate(cx, cy);
    ctx.rotate((rotation * Math.PI) / 180);
    ctx.setLineDash([6, 4]);
    ctx.strokeStyle = 'rgba(40,40,40,.45)';
    ctx.lineWidth = 1.5;
    ctx.strokeRect(-side / 2, -side / 2, side, side);
    ctx.restore();
    return { x: layer.x, y: layer.y, w: side, h: side, rotation };
  }
  const c = layer.crop || { x: 0, y: 0, width: 1, height: 1 };
  const sw = c.width * img.naturalWidth;
  const sh = c.height * img.naturalHeight;
  const fit = Math.min(w / sw, h / sh) * (layer.scale || 1);
  const dw = sw * fit;
  const dh = sh * fit;
  ctx.save();
  ctx.translate(cx, cy);
  ctx.rotate((rotation * Math.PI) / 180);
  ctx.drawImage(img, c.x * img.naturalWidth, c.y * img.naturalHeight, sw, sh, -dw / 2, -dh / 2, dw, dh);
  ctx.restore();
  return { x: layer.x, y: layer.y, w: dw, h: dh, rotation };
}

/** Set text like the engine: fitted to 90 % of the free space around its centre in the
 * slot, at most `size` points, turned, and along an arc of `arcRadiusMm` when the merchant
 * set one. Returns its box and the fitted size in points. */
function drawText(ctx, layer, product, frame) {
  const { w, h, pxPerMm } = frame;
  const font = product.fonts.find((f) => f.id === layer.font);
  const lines = String(layer.text).split('\n');
  const cx = (layer.x - 0.5) * w;
  const cy = (layer.y - 0.5) * h;
  const freeW = 2 * Math.min(layer.x, 1 - layer.x) * w * 0.9;
  const freeH = 2 * Math.min(layer.y, 1 - layer.y) * h * 0.9;
  let size = freeH / (lines.length * 1.2);
  ctx.font = `${size}px ${family(font)}`;
  const widest = Math.max(...lines.map((line) => ctx.measureText(line).width), 1);
  if (widest > freeW) size *= freeW / widest;
  const fitPt = size / pxPerMm / MM_PER_PT;
  if (typeof layer.size === 'number') size = Math.min(size, layer.size * MM_PER_PT * pxPerMm);
  ctx.font = `${size}px ${family(font)}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const stops = MATERIAL_STOPS[layer.material];
  if (stops) {
    const gradient = ctx.createLinearGradient(0, cy - size, 0, cy + lines.length * size * 1.2);
    stops.forEach((color, i) => gradient.addColorStop(i / Math.max(1, stops.length - 1), color));
    ctx.fillStyle = gradient;
    ctx.shadowColor = 'rgba(0,0,0,0.35)';
    ctx.shadowOffsetY = Math.max(1, size * 0.03);
    ctx.shadowBlur = Math.max(1, size * 0.04);
  } else {
    ctx.fillStyle = layer.color || '#1f2a44';
    ctx.shadowColor = 'transparent';
  }
  ctx.save();
  ctx.translate(cx, cy);
  ctx.rotate(((layer.rotation || 0) * Math.PI) / 180);
  const width = Math.max(...lines.map((line) => ctx.measureText(line).width), 1);
  const height = lines.length * size * 1.2;
  if (layer.arcRadiusMm) {
    drawArc(ctx, lines[0], layer.arcRadiusMm * pxPerMm, size);
  } else {
    const top = -((lines.length - 1) * size * 1.2) / 2;
    lines.forEach((line, i) => ctx.fillText(line, 0, top + i * size * 1.2));
  }
  ctx.restore();
  return { x: layer.x, y: layer.y, w: width, h: height, rotation: layer.rotation || 0, fitPt };
}

/** One line along a circle of `radius` px: negative arches over the top, positive smiles. */
function drawArc(ctx, line, radius, size) {
  const r = Math.abs(radius);
  const arch = radius < 0;
  const total = ctx.measureText(line).width;
  const sag = r * (1 - Math.cos(Math.min(Math.PI, total / r / 2)));
  let s = -total / 2;
  for (const ch of line) {
    const adv = ctx.measureText(ch).width;
    const phi = (s + adv / 2) / r;
    const x = r * Math.sin(phi);
    const y = (arch ? 1 : -1) * r * (1 - Math.cos(phi)) + (arch ? -sag / 2 : sag / 2);
    ctx.save();
    ctx.translate(x, y);
    ctx.rotate(arch ? phi : -phi);
    ctx.fillText(ch, 0, 0);
    ctx.restore();
    s += adv;
  }
  return size;
}
