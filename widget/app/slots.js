// Where a layer sits on the product photo: its print area, the merchant's slot inside it
// (fractions of the area, turned about its centre) and the shopper's placement inside the
// slot (fractions of the slot). The same geometry as the render engine (render/layout.py),
// in canvas pixels, for the sketch and for the handles that move, resize and turn a layer.

const RAD = Math.PI / 180;

export function rotate(x, y, deg) {
  const c = Math.cos(deg * RAD);
  const s = Math.sin(deg * RAD);
  return { x: x * c - y * s, y: x * s + y * c };
}

/** The slot of `layer` (a whole-area slot when it has none). */
export function slotOf(layer) {
  return layer.slot || { x: 0, y: 0, width: 1, height: 1, rotation: 0 };
}

/** The slot's frame on a W x H canvas: centre, size and total turn (area's + slot's). */
export function slotFrame(area, slot, W, H) {
  const aw = area.width * W;
  const ah = area.height * H;
  const off = rotate((slot.x + slot.width / 2 - 0.5) * aw, (slot.y + slot.height / 2 - 0.5) * ah, area.rotation || 0);
  return {
    cx: (area.x + area.width / 2) * W + off.x,
    cy: (area.y + area.height / 2) * H + off.y,
    w: slot.width * aw,
    h: slot.height * ah,
    rotation: (area.rotation || 0) + (slot.rotation || 0),
    pxPerMm: aw / (area.widthMm || 100),
  };
}

/** A point given in fractions of the slot, in canvas pixels. */
export function toCanvas(frame, x, y) {
  const p = rotate((x - 0.5) * frame.w, (y - 0.5) * frame.h, frame.rotation);
  return { x: frame.cx + p.x, y: frame.cy + p.y };
}

/** A movement on the canvas (pixels) as a movement in fractions of the slot. */
export function toSlot(frame, dx, dy) {
  const p = rotate(dx, dy, -frame.rotation);
  return { x: p.x / frame.w, y: p.y / frame.h };
}

export const MM_PER_PT = 25.4 / 72;
