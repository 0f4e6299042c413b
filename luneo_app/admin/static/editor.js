/* Template editor: print areas drawn on the product photo (mouse, touch or keyboard),
 * the options shoppers fill in, a live preview from the render engine, and saving with
 * the server's field-level messages shown next to the fields. */
(function () {
  'use strict';
  var L = window.Luneo, esc = L.esc;
  var boot = JSON.parse(document.getElementById('editor-data').textContent);
  var S = boot.state;
  var T = clone(S.template);
  var saved = JSON.stringify(T);
  var selected = (T.printAreas || []).length ? 0 : -1;
  var errorAreas = {};
  var MIN = 0.02, MM_PER_PHOTO_WIDTH = 240;
  var SIGN = { nw: [-1, -1], ne: [1, -1], sw: [-1, 1], se: [1, 1] };
  var $ = function (id) { return document.getElementById(id); };
  var root = $('editor'), canvas = $('areas'), form = $('area-form');
  var saveBtn = $('save'), discardBtn = $('discard');
  var materialLabel = {};
  S.materials.forEach(function (m) { materialLabel[String(m.value)] = m.label; });

  function clone(v) { return JSON.parse(JSON.stringify(v)); }
  /* The canvas shows the product, or a variant (`editing`): a variant with its own print
   * areas is edited on its own photo; the others show the product's areas. */
  var editing = -1, variantPhotos = Object.assign({}, S.variantPhotos || {});
  function variants() { return T.variants || []; }
  function ownAreas() {
    var v = editing >= 0 && variants()[editing];
    return v && Array.isArray(v.printAreas) && v.printAreas.length ? v.printAreas : null;
  }
  function areas() { return ownAreas() || T.printAreas || (T.printAreas = []); }
  function areaPath(i) { return (ownAreas() ? 'variants[' + editing + '].' : '') + 'printAreas[' + i + ']'; }
  function options() { return T.options || (T.options = []); }
  function isDirty() { return JSON.stringify(T) !== saved; }
  function round4(v) { return Math.round(v * 10000) / 10000; }
  function changed() {
    var dirty = isDirty();
    saveBtn.disabled = !dirty;
    discardBtn.disabled = !dirty;
    schedulePreview();
  }

  /* ---------------------------------------------------------------- geometry */
  function clamp(a) {
    a.width = round4(Math.min(1, Math.max(MIN, a.width)));
    a.height = round4(Math.min(1, Math.max(MIN, a.height)));
    a.x = round4(Math.min(1 - a.width, Math.max(0, a.x)));
    a.y = round4(Math.min(1 - a.height, Math.max(0, a.y)));
    return a;
  }
  function normAngle(deg) {
    deg = ((deg + 180) % 360 + 360) % 360 - 180;
    return Math.round(deg * 10) / 10;
  }
  function rot(v, deg) {
    var r = deg * Math.PI / 180, c = Math.cos(r), s = Math.sin(r);
    return { x: v.x * c - v.y * s, y: v.x * s + v.y * c };
  }
  function center(a, W, H) { return { x: (a.x + a.width / 2) * W, y: (a.y + a.height / 2) * H }; }
  function point(e, rect) {
    return { x: Math.min(rect.width, Math.max(0, e.clientX - rect.left)), y: Math.min(rect.height, Math.max(0, e.clientY - rect.top)) };
  }
  function mmPerPixel(W) {
    var ref = areas().find(function (a) { return a.width > 0 && a.widthMm > 0; });
    return ref ? ref.widthMm / (ref.width * W) : MM_PER_PHOTO_WIDTH / W;
  }
  function uniqueId(prefix, taken) {
    for (var n = 1; ; n++) { var id = prefix + (n === 1 && prefix.slice(-1) !== '-' ? '' : n); if (taken.indexOf(id) < 0) return id; }
  }

  /* ---------------------------------------------------------------- canvas */
  function areaStyle(a) {
    return 'left:' + a.x * 100 + '%;top:' + a.y * 100 + '%;width:' + a.width * 100 + '%;height:' + a.height * 100 +
      '%;transform:rotate(' + (a.rotation || 0) + 'deg)';
  }
  /* The physical size follows a resize: the same millimetres per share of the photo. */
  function followSize(a, before) {
    if (before.width > 0 && before.widthMm > 0 && a.width !== before.width) a.widthMm = Math.max(1, Math.round(before.widthMm * a.width / before.width * 10) / 10);
    if (before.height > 0 && before.heightMm > 0 && a.height !== before.height) a.heightMm = Math.max(1, Math.round(before.heightMm * a.height / before.height * 10) / 10);
  }
  function sizeText(a) { return Math.round(a.widthMm) + ' × ' + Math.round(a.heightMm) + ' mm'; }
  /* Print profiles (render/profiles.py): bleed and safe zone in mm, defaults per kind. */
  var PROFILE_KINDS = [['print-srgb', 'Colour print (sRGB)'], ['print-cmyk', 'Press print, CMYK PDF/X-4'],
    ['engraving', 'Engraving / laser (vector)'], ['uv', 'UV print']];
  var PROFILE_DEFAULTS = { 'print-srgb': [0, 0], 'print-cmyk': [3, 3], engraving: [0, 1], uv: [1, 2] };
  function guide(a, key) {
    var p = a.profile || {}, d = PROFILE_DEFAULTS[p.kind || 'print-srgb'] || [0, 0];
    var v = p[key];
    return typeof v === 'number' && v >= 0 ? v : d[key === 'bleedMm' ? 0 : 1];
  }
  function guidesHtml(a) {
    if (!(a.widthMm > 0 && a.heightMm > 0)) return '';
    var b = guide(a, 'bleedMm'), sz = guide(a, 'safeMm'), out = '';
    function box(cls, mm, sign, label) {
      var x = sign * mm / a.widthMm * 100, y = sign * mm / a.heightMm * 100;
      return '<span class="' + cls + '" aria-hidden="true" title="' + label + '" style="left:' + x + '%;right:' + x + '%;top:' + y + '%;bottom:' + y + '%"></span>';
    }
    if (b > 0) out += box('area__bleed', b, -1, 'Bleed ' + b + ' mm');
    if (sz > 0) out += box('area__safe', Math.min(sz, a.widthMm / 2, a.heightMm / 2), 1, 'Safe zone ' + sz + ' mm');
    return out;
  }
  function renderAreas() {
    canvas.innerHTML = areas().map(function (a, i) {
      var cls = 'area' + (a.mask === 'ellipse' ? ' area--ellipse' : a.mask === 'rounded' ? ' area--rounded' : '') +
        (errorAreas[i] ? ' area--error' : '');
      return '<div class="' + cls + '" data-index="' + i + '" tabindex="0" role="button" aria-pressed="' + (i === selected) +
        '" aria-label="Print area ' + esc(a.id) + ', ' + sizeText(a) + '" style="' + areaStyle(a) + '">' +
        guidesHtml(a) + '<span class="area__label">' + esc(a.id) + '</span>' +
        ['nw', 'ne', 'sw', 'se', 'rotate'].map(function (h) { return '<span class="area__handle" data-handle="' + h + '"></span>'; }).join('') +
        '<span class="area__size">' + sizeText(a) + '</span>' + slotsHtml(a) + '</div>';
    }).join('');
    renderSlotWarnings();
  }

  /* ---------------------------------------------------------------- slots
   * Each text, photo and artwork option has a slot in its print area: a box in fractions of
   * the area, turned about its centre, with a stacking order (z) and, for text, an arc. */
  var PLACEABLE = ['text', 'image', 'ai'], DEFAULT_Z = { image: 0, ai: 1, text: 2 };
  function placeable(o) { return PLACEABLE.indexOf(o.type) >= 0; }
  function areaIdOf(o) { return o.printArea || (areas()[0] && areas()[0].id); }
  function inArea(areaId, except) {
    return options().filter(function (o) { return placeable(o) && o !== except && o.slot && areaIdOf(o) === areaId; });
  }
  function overlap(p, q) {
    return Math.min(p.x + p.width, q.x + q.width) - Math.max(p.x, q.x) > 0.001 &&
      Math.min(p.y + p.height, q.y + q.height) - Math.max(p.y, q.y) > 0.001;
  }
  function overlappers(o) {
    return inArea(areaIdOf(o), o).filter(function (other) { return overlap(o.slot, other.slot); });
  }
  /* The largest free box in the area (searched on a 5 % grid), halved when it is big, or
   * null when none is left. */
  function freeSlot(areaId, except) {
    var taken = inArea(areaId, except).map(function (o) { return o.slot; }), best = null, n = 20;
    for (var hs = n; hs >= 4; hs--) {
      for (var ws = n; ws >= 4; ws--) {
        if (best && ws * hs <= best.size) continue;
        for (var ys = 0; ys + hs <= n; ys++) {
          for (var xs = 0; xs + ws <= n; xs++) {
            var box = { x: xs / n, y: ys / n, width: ws / n, height: hs / n };
            if (!taken.some(function (t) { return overlap(box, t); })) { best = { box: box, size: ws * hs }; ys = n; break; }
          }
        }
      }
    }
    if (!best) return null;
    // a big free box is shared: the new option takes half, so the next one has room too
    var box = best.box, host = areas().find(function (x) { return x.id === areaId; }) || {};
    if (box.width * box.height > 0.4) {
      if (box.width * (host.widthMm || 1) >= box.height * (host.heightMm || 1)) box.width = round4(box.width / 2);
      else box.height = round4(box.height / 2);
    }
    return box;
  }
  /* A new option, or one moved to another area: a free place, else a clear warning. */
  function giveSlot(o) {
    if (!placeable(o)) return;
    var box = freeSlot(areaIdOf(o), o), z = o.slot && typeof o.slot.z === 'number' ? o.slot.z : DEFAULT_Z[o.type];
    var arc = o.slot && o.slot.arcRadiusMm ? { arcRadiusMm: o.slot.arcRadiusMm, arcDirection: o.slot.arcDirection || 'arch' } : {};
    o.slot = Object.assign({ x: 0.25, y: 0.35, width: 0.5, height: 0.3, rotation: 0, z: z }, box || {}, { rotation: 0, z: z }, arc);
  }
  function slotStyle(sl) {
    return 'left:' + sl.x * 100 + '%;top:' + sl.y * 100 + '%;width:' + sl.width * 100 + '%;height:' + sl.height * 100 +
      '%;transform:rotate(' + (sl.rotation || 0) + 'deg)';
  }
  function slotsHtml(a) {
    return options().map(function (o, i) {
      if (!placeable(o) || !o.slot || areaIdOf(o) !== a.id) return '';
      var bad = overlappers(o).length ? ' slot--overlap' : '';
      return '<div class="slot slot--' + o.type + bad + '" data-slot="' + i + '" tabindex="0" role="button" aria-label="Place of ' + esc(o.label || o.type) +
        ' in ' + esc(a.id) + (bad ? ' (overlaps another option)' : '') + '" style="' + slotStyle(o.slot) + '">' +
        '<span class="slot__label">' + esc(o.label || o.type) + (o.slot.arcRadiusMm ? ' ⌒' : '') + '</span>' +
        '<span class="slot__handle" data-slot-handle="resize"></span><span class="slot__handle slot__handle--rotate" data-slot-handle="rotate"></span></div>';
    }).join('');
  }
  function renderSlotWarnings() {
    var seen = {}, lines = [];
    options().forEach(function (o) {
      if (!placeable(o) || !o.slot) return;
      overlappers(o).forEach(function (other) {
        var key = [o.id, other.id].sort().join('|');
        if (seen[key]) return;
        seen[key] = true;
        lines.push('“' + esc(o.label || o.id) + '” and “' + esc(other.label || other.id) + '” overlap in ' + esc(areaIdOf(o)) + ': shoppers’ layers will cover each other.');
      });
    });
    $('slot-warnings').innerHTML = lines.length ? '<div class="banner banner--warning"><div>' + lines.join('<br>') + '</div></div>' : '';
  }
  function clampSlot(sl) {
    sl.width = round4(Math.min(1, Math.max(MIN, sl.width)));
    sl.height = round4(Math.min(1, Math.max(MIN, sl.height)));
    sl.x = round4(Math.min(1 - sl.width, Math.max(0, sl.x)));
    sl.y = round4(Math.min(1 - sl.height, Math.max(0, sl.y)));
    return sl;
  }
  function updateSlot(i) {
    var el = canvas.querySelector('[data-slot="' + i + '"]');
    if (!el) return renderAreas();
    el.setAttribute('style', slotStyle(options()[i].slot));
    var o = options()[i], bad = overlappers(o).length > 0;
    canvas.querySelectorAll('.slot').forEach(function (s2) {
      var other = options()[+s2.dataset.slot];
      s2.classList.toggle('slot--overlap', !!(other && overlappers(other).length));
    });
    el.classList.toggle('slot--overlap', bad);
    renderSlotWarnings();
  }
  function updateArea(i) {
    var el = canvas.querySelector('[data-index="' + i + '"]'), a = areas()[i];
    if (!el) return renderAreas();
    el.setAttribute('style', areaStyle(a));
    el.querySelector('.area__size').textContent = sizeText(a);
    el.querySelectorAll('.area__bleed, .area__safe').forEach(function (g) { g.remove(); });
    el.insertAdjacentHTML('afterbegin', guidesHtml(a));
    syncAreaForm();
  }
  function select(i, focus) {
    selected = i;
    renderAreas();
    renderAreaForm();
    if (focus && i >= 0) canvas.querySelector('[data-index="' + i + '"]').focus();
  }
  function addArea(a) {
    if (ownAreas()) { L.toast('A variant has the product\u2019s print areas: add areas on the product photo.', { error: true }); return; }
    a.id = uniqueId('area-', areas().map(function (x) { return x.id; }));
    areas().push(clamp(a));
    select(areas().length - 1, true);
    renderOptions();
    changed();
  }
  function removeArea(i) {
    var gone = areas().splice(i, 1)[0];
    options().forEach(function (o) { if (o.printArea === gone.id) o.printArea = areas().length ? areas()[0].id : undefined; });
    errorAreas = {};
    select(Math.min(i, areas().length - 1), true);
    renderOptions();
    changed();
    L.toast('Print area “' + gone.id + '” removed');
  }
  function newAreaAt(x, y, w, h) {
    var rect = canvas.getBoundingClientRect(), per = mmPerPixel(rect.width);
    return { x: x, y: y, width: w, height: h, rotation: 0, mask: 'rect',
      widthMm: Math.max(1, Math.round(w * rect.width * per)), heightMm: Math.max(1, Math.round(h * rect.height * per)) };
  }

  var drag = null;
  canvas.addEventListener('pointerdown', function (e) {
    if (e.button !== 0) return;
    var rect = canvas.getBoundingClientRect(), p = point(e, rect);
    var slotEl = e.target.closest('.slot');
    if (slotEl) {
      var si = +slotEl.dataset.slot, so = options()[si], host = areas().find(function (x) { return x.id === areaIdOf(so); });
      var sh = e.target.closest('[data-slot-handle]');
      drag = { kind: 'slot-' + (sh ? sh.dataset.slotHandle : 'move'), index: si, start: p, orig: clone(so.slot), rect: rect, area: host };
      canvas.setPointerCapture(e.pointerId);
      e.preventDefault();
      slotEl.focus({ preventScroll: true });
      return;
    }
    var areaEl = e.target.closest('.area'), handle = e.target.closest('[data-handle]');
    if (areaEl) {
      var i = +areaEl.dataset.index;
      if (i !== selected) select(i);
      var a = areas()[i];
      drag = { kind: handle ? handle.dataset.handle : 'move', index: i, start: p, orig: clone(a), rect: rect };
      if (SIGN[drag.kind]) {
        var c = center(a, rect.width, rect.height), s = SIGN[drag.kind];
        var off = rot({ x: -s[0] * a.width * rect.width / 2, y: -s[1] * a.height * rect.height / 2 }, a.rotation || 0);
        drag.fixed = { x: c.x + off.x, y: c.y + off.y };
      }
    } else {
      var draft = document.createElement('div');
      draft.className = 'draft';
      canvas.appendChild(draft);
      drag = { kind: 'draw', start: p, rect: rect, draft: draft };
    }
    canvas.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  canvas.addEventListener('pointermove', function (e) {
    if (!drag) return;
    var W = drag.rect.width, H = drag.rect.height, p = point(e, drag.rect);
    if (drag.kind === 'draw') {
      var x = Math.min(p.x, drag.start.x), y = Math.min(p.y, drag.start.y);
      drag.draft.setAttribute('style', 'left:' + x + 'px;top:' + y + 'px;width:' + Math.abs(p.x - drag.start.x) + 'px;height:' + Math.abs(p.y - drag.start.y) + 'px');
      return;
    }
    if (drag.kind.indexOf('slot-') === 0) return moveSlot(drag, p);
    var a = areas()[drag.index], o = drag.orig;
    if (drag.kind === 'move') {
      a.x = o.x + (p.x - drag.start.x) / W;
      a.y = o.y + (p.y - drag.start.y) / H;
    } else if (drag.kind === 'rotate') {
      var c = center(o, W, H);
      var deg = Math.atan2(p.y - c.y, p.x - c.x) * 180 / Math.PI + 90;
      a.rotation = normAngle(e.shiftKey ? Math.round(deg / 15) * 15 : Math.round(deg));
    } else {
      var s = SIGN[drag.kind], th = o.rotation || 0;
      var d = rot({ x: p.x - drag.fixed.x, y: p.y - drag.fixed.y }, -th);
      var w = Math.max(MIN * W, d.x * s[0]), h = Math.max(MIN * H, d.y * s[1]);
      var half = rot({ x: s[0] * w / 2, y: s[1] * h / 2 }, th);
      a.width = w / W; a.height = h / H;
      a.x = (drag.fixed.x + half.x) / W - a.width / 2;
      a.y = (drag.fixed.y + half.y) / H - a.height / 2;
    }
    clamp(a);
    if (SIGN[drag.kind]) followSize(a, o);
    updateArea(drag.index);
  });
  function endDrag(e) {
    if (!drag) return;
    var d = drag;
    drag = null;
    if (d.kind === 'draw') {
      d.draft.remove();
      var p = point(e, d.rect), W = d.rect.width, H = d.rect.height;
      var w = Math.abs(p.x - d.start.x) / W, h = Math.abs(p.y - d.start.y) / H;
      if (w >= MIN && h >= MIN) addArea(newAreaAt(Math.min(p.x, d.start.x) / W, Math.min(p.y, d.start.y) / H, w, h));
      else if (selected >= 0) select(-1);
      return;
    }
    if (d.kind.indexOf('slot-') === 0) {
      if (JSON.stringify(options()[d.index].slot) !== JSON.stringify(d.orig)) { renderOptions(); changed(); }
      return;
    }
    if (JSON.stringify(areas()[d.index]) !== JSON.stringify(d.orig)) changed();
    var el = canvas.querySelector('[data-index="' + d.index + '"]');
    if (el) el.focus({ preventScroll: true });
  }
  /* A slot dragged inside its (possibly rotated) area: pointer moves in the area's frame. */
  function moveSlot(d, p) {
    var ar = d.area, W = d.rect.width, H = d.rect.height, sl = options()[d.index].slot, o = d.orig;
    var aw = ar.width * W, ah = ar.height * H, turn = ar.rotation || 0;
    var delta = rot({ x: p.x - d.start.x, y: p.y - d.start.y }, -turn);
    if (d.kind === 'slot-move') {
      sl.x = o.x + delta.x / aw;
      sl.y = o.y + delta.y / ah;
    } else if (d.kind === 'slot-resize') {
      var local = rot(delta, -(o.rotation || 0)), shift = rot({ x: local.x / 2, y: local.y / 2 }, o.rotation || 0);
      sl.width = Math.max(MIN, o.width + local.x / aw);
      sl.height = Math.max(MIN, o.height + local.y / ah);
      sl.x = o.x + o.width / 2 + shift.x / aw - sl.width / 2;
      sl.y = o.y + o.height / 2 + shift.y / ah - sl.height / 2;
    } else if (d.kind === 'slot-rotate') {
      var ac = center(ar, W, H), off = rot({ x: (o.x + o.width / 2 - 0.5) * aw, y: (o.y + o.height / 2 - 0.5) * ah }, turn);
      var deg = Math.atan2(p.y - (ac.y + off.y), p.x - (ac.x + off.x)) * 180 / Math.PI + 90 - turn;
      sl.rotation = normAngle(Math.round(deg / (e_shift ? 15 : 1)) * (e_shift ? 15 : 1));
      if (Math.abs(sl.rotation) < 3) sl.rotation = 0;
    }
    clampSlot(sl);
    updateSlot(d.index);
  }
  var e_shift = false;
  document.addEventListener('keydown', function (e) { e_shift = e.shiftKey; });
  document.addEventListener('keyup', function (e) { e_shift = e.shiftKey; });
  canvas.addEventListener('pointerup', endDrag);
  canvas.addEventListener('pointercancel', endDrag);

  canvas.addEventListener('keydown', function (e) {
    var slotEl = e.target.closest('.slot');
    if (slotEl) {
      var sl = options()[+slotEl.dataset.slot].slot, st = e.altKey ? 0.005 : 0.02;
      var kx = { ArrowLeft: -st, ArrowRight: st }[e.key] || 0, ky = { ArrowUp: -st, ArrowDown: st }[e.key] || 0;
      if (kx || ky) {
        if (e.shiftKey) { sl.width += kx; sl.height += ky; } else { sl.x += kx; sl.y += ky; }
      } else if (e.code === 'BracketLeft' || e.code === 'BracketRight') {
        sl.rotation = normAngle((sl.rotation || 0) + (e.code === 'BracketRight' ? 1 : -1) * (e.shiftKey ? 15 : 1));
      } else return;
      e.preventDefault();
      e.stopPropagation();
      clampSlot(sl);
      updateSlot(+slotEl.dataset.slot);
      changed();
      return;
    }
    var el = e.target.closest('.area');
    if (!el) return;
    var i = +el.dataset.index, a = areas()[i], step = e.altKey ? 0.001 : 0.01, handled = true;
    var dx = { ArrowLeft: -step, ArrowRight: step }[e.key] || 0, dy = { ArrowUp: -step, ArrowDown: step }[e.key] || 0;
    if (i !== selected) select(i, true);
    if (dx || dy) {
      var before = clone(a);
      if (e.shiftKey) { a.width += dx; a.height += dy; clamp(a); followSize(a, before); } else { a.x += dx; a.y += dy; }
    } else if (e.code === 'BracketLeft' || e.code === 'BracketRight') {
      a.rotation = normAngle((a.rotation || 0) + (e.code === 'BracketRight' ? 1 : -1) * (e.shiftKey ? 15 : 1));
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      return removeArea(i);
    } else if (e.key === 'Enter' || e.key === ' ') {
      var first = form.querySelector('input');
      if (first) first.focus();
    } else handled = false;
    if (!handled) return;
    e.preventDefault();
    clamp(a);
    updateArea(i);
    changed();
  });

  $('add-area').addEventListener('click', function () { addArea(newAreaAt(0.35, 0.35, 0.3, 0.2)); });

  /* ---------------------------------------------------------------- area form */
  var AREA_FIELDS = [
    ['x', 'Left', '%'], ['y', 'Top', '%'], ['width', 'Width', '%'], ['height', 'Height', '%'],
    ['rotation', 'Rotation', '°'], ['widthMm', 'Print width', 'mm'], ['heightMm', 'Print height', 'mm']
  ];
  function shown(key, a) {
    var v = a[key];
    if (v === undefined || v === null || v === '') return '';
    return ['x', 'y', 'width', 'height'].indexOf(key) >= 0 ? +(v * 100).toFixed(1) : v;
  }
  function renderAreaForm() {
    var a = areas()[selected];
    if (!a) {
      form.innerHTML = '<p class="muted">' + (areas().length ? 'Select a print area to change its position, size and shape.' :
        'No print area yet. Drag on the photo, or use “Add print area”.') + '</p>';
      return;
    }
    var p = areaPath(selected), own = !!ownAreas();
    form.innerHTML = '<div class="stack stack--tight">' +
      '<div class="field__error" data-error-for="' + p + '"></div>' +
      '<div class="form-grid form-grid--4">' +
      '<div class="field span-2"><label for="area-id">Name</label><input class="input" id="area-id" data-area-key="id" data-field="' + p + '.id" maxlength="40" value="' + esc(a.id) + '"' + (own ? ' readonly aria-describedby="area-id-note"' : '') + '>' +
      (own ? '<p class="muted small" id="area-id-note">The product\u2019s area, placed on this variant\u2019s photo.</p>' : '') +
      '<div class="field__error" data-error-for="' + p + '.id"></div></div>' +
      '<div class="field span-2"><label for="area-mask">Shape</label><select class="select" id="area-mask" data-area-key="mask" data-field="' + p + '.mask">' +
      [['rect', 'Rectangle'], ['rounded', 'Rounded rectangle'], ['ellipse', 'Ellipse']].map(function (m) {
        return '<option value="' + m[0] + '"' + ((a.mask || 'rect') === m[0] ? ' selected' : '') + '>' + m[1] + '</option>';
      }).join('') + '</select></div>' +
      AREA_FIELDS.map(function (f) {
        return '<div class="field"><label for="area-' + f[0] + '">' + f[1] + '</label><div class="input-group">' +
          '<input class="input" id="area-' + f[0] + '" type="number" step="any" inputmode="decimal" data-area-key="' + f[0] + '" data-field="' + p + '.' + f[0] + '" value="' + esc(shown(f[0], a)) + '">' +
          '<span class="input-group__suffix">' + f[2] + '</span></div><div class="field__error" data-error-for="' + p + '.' + f[0] + '"></div></div>';
      }).join('') +
      '<div class="field span-2"><label for="area-profile">Print profile</label><select class="select" id="area-profile" data-profile-key="kind" data-field="' + p + '.profile.kind">' +
      PROFILE_KINDS.map(function (k) {
        return '<option value="' + k[0] + '"' + (((a.profile || {}).kind || 'print-srgb') === k[0] ? ' selected' : '') + '>' + k[1] + '</option>';
      }).join('') + '</select><div class="field__error" data-error-for="' + p + '.profile"></div></div>' +
      [['bleedMm', 'Bleed'], ['safeMm', 'Safe zone']].map(function (f) {
        var v = (a.profile || {})[f[0]];
        return '<div class="field"><label for="area-' + f[0] + '">' + f[1] + '</label><div class="input-group">' +
          '<input class="input" id="area-' + f[0] + '" type="number" min="0" step="0.5" inputmode="decimal" data-profile-key="' + f[0] + '" data-field="' + p + '.profile.' + f[0] + '" value="' + (typeof v === 'number' ? v : '') + '" placeholder="' + guide(a, f[0]) + '">' +
          '<span class="input-group__suffix">mm</span></div><div class="field__error" data-error-for="' + p + '.profile.' + f[0] + '"></div></div>';
      }).join('') +
      (own ? '' : '<div class="field" style="justify-content:flex-end"><button type="button" class="btn btn--tertiary" id="remove-area" style="color:var(--critical-text)">Remove area</button></div>') +
      '</div><p class="muted small">Print width and height are the real size on the product. The print profile sets the files (PDF/X-4, SVG, DXF…), the bleed drawn outside the area and the safe zone text stays inside.</p></div>';
  }
  function syncAreaForm() {
    var a = areas()[selected];
    if (!a) return;
    form.querySelectorAll('[data-area-key]').forEach(function (input) {
      if (document.activeElement === input) return;
      var key = input.dataset.areaKey;
      input.value = key === 'id' || key === 'mask' ? (a[key] || (key === 'mask' ? 'rect' : '')) : shown(key, a);
    });
  }
  form.addEventListener('input', function (e) {
    var pkey = e.target.dataset.profileKey, pa = areas()[selected];
    if (pkey && pa) {
      var prof = Object.assign({}, pa.profile || {});
      if (pkey === 'kind') {
        prof = { kind: e.target.value };  // a new kind starts from its own defaults
        form.querySelectorAll('[data-profile-key$="Mm"]').forEach(function (i) { i.value = ''; i.placeholder = PROFILE_DEFAULTS[prof.kind][i.dataset.profileKey === 'bleedMm' ? 0 : 1]; });
      } else if (e.target.value === '') delete prof[pkey];
      else prof[pkey] = isNaN(Number(e.target.value)) ? e.target.value : Number(e.target.value);
      pa.profile = prof.kind === 'print-srgb' && Object.keys(prof).length === 1 ? undefined : prof;
      if (pa.profile === undefined) delete pa.profile;
      updateArea(selected);
      changed();
      return;
    }
    var key = e.target.dataset.areaKey, a = areas()[selected];
    if (!key || !a) return;
    var raw = e.target.value;
    if (key === 'id') {
      var old = a.id;
      a.id = raw;
      options().forEach(function (o) { if (o.printArea === old) o.printArea = raw; });
      renderAreas();
      renderOptions();
    } else if (key === 'mask') {
      a.mask = raw;
      renderAreas();
    } else {
      var n = raw === '' ? NaN : Number(raw);
      if (isNaN(n)) { a[key] = raw; } else if (['x', 'y', 'width', 'height'].indexOf(key) >= 0) {
        var was = clone(a);
        a[key] = n / 100;
        clamp(a);
        followSize(a, was);
      } else a[key] = key === 'rotation' ? normAngle(n) : n;
      updateArea(selected);
    }
    changed();
  });
  form.addEventListener('change', function () { syncAreaForm(); });
  form.addEventListener('click', function (e) { if (e.target.id === 'remove-area') removeArea(selected); });

  /* ---------------------------------------------------------------- options */
  var KIND = { text: 'Aa', material: 'Mt', color: 'Co', image: 'Ph', ai: 'AI', choice: 'Ch' };
  function optionPath(i) { return 'options[' + i + ']'; }
  function field(i, key, label, inputHtml, help) {
    var path = optionPath(i) + '.' + key;
    return '<div class="field"><label for="o' + i + '-' + key + '">' + label + '</label>' + inputHtml +
      (help ? '<span class="field__help">' + help + '</span>' : '') + '<div class="field__error" data-error-for="' + path + '"></div></div>';
  }
  function input(i, key, value, attrs) {
    return '<input class="input" id="o' + i + '-' + key + '" data-key="' + key + '" data-field="' + optionPath(i) + '.' + key +
      '" value="' + esc(value === undefined || value === null ? '' : value) + '" ' + (attrs || '') + '>';
  }
  function price(i, o) {
    return field(i, 'priceCents', 'Price add-on', '<div class="input-group">' +
      input(i, 'priceCents', L.fromMinor(o.priceCents || 0, S.currency), 'inputmode="decimal"') +
      '<span class="input-group__suffix">' + esc(S.currency) + '</span></div>');
  }
  function areaSelect(i, o) {
    return field(i, 'printArea', 'Print area', '<select class="select" id="o' + i + '-printArea" data-key="printArea" data-field="' + optionPath(i) + '.printArea">' +
      areas().map(function (a) { return '<option' + (o.printArea === a.id ? ' selected' : '') + '>' + esc(a.id) + '</option>'; }).join('') +
      (o.printArea && !areas().some(function (a) { return a.id === o.printArea; }) ? '<option selected>' + esc(o.printArea) + '</option>' : '') +
      '</select>');
  }
  function valueLabel(o, v) {
    return v.label || (o.type === 'material' ? materialLabel[String(v.value)] || v.value : v.value);
  }
  function condition(i, o) {
    var current = o.showWhen ? JSON.stringify({ option: o.showWhen.option, equals: o.showWhen.equals }) : '';
    var choices = '<option value="">Always</option>';
    options().forEach(function (other, j) {
      if (j === i || !other.values || !other.values.length) return;
      other.values.forEach(function (v) {
        var val = JSON.stringify({ option: other.id, equals: v.value });
        choices += '<option value="' + esc(val) + '"' + (val === current ? ' selected' : '') + '>When ' +
          esc(other.label || other.id) + ' is ' + esc(valueLabel(other, v)) + '</option>';
      });
    });
    if (current && choices.indexOf('selected') < 0) choices += '<option value="' + esc(current) + '" selected>When ' + esc(o.showWhen.option) + ' is ' + esc(o.showWhen.equals) + '</option>';
    return field(i, 'showWhen', 'Show', '<select class="select" id="o' + i + '-showWhen" data-key="showWhen" data-field="' + optionPath(i) + '.showWhen">' + choices + '</select>') +
      '<div class="field__error" data-error-for="' + optionPath(i) + '.showWhen.equals"></div>';
  }
  function head(i, o, removable) {
    return '<div class="option__head"><span class="option__kind" aria-hidden="true">' + KIND[o.type] + '</span><span class="option__title">' +
      esc(o.label || 'Untitled') + '</span>' + (removable ? '<button type="button" class="btn btn--tertiary btn--icon" data-action="remove" aria-label="Remove ' +
      esc(o.label || o.type) + '"><svg width="16" height="16" viewBox="0 0 20 20" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" aria-hidden="true"><path d="M5 5l10 10M15 5L5 15"/></svg></button>' : '') + '</div>';
  }
  function textOption(i, o) {
    var allowed = o.fonts && o.fonts.length ? o.fonts : S.defaultFonts;
    return '<div class="option" data-option-index="' + i + '">' + head(i, o, true) +
      '<div class="form-grid">' +
      '<div class="span-2">' + field(i, 'label', 'Label shoppers see', input(i, 'label', o.label, 'maxlength="80"')) + '</div>' +
      areaSelect(i, o) + field(i, 'maxChars', 'Max characters', input(i, 'maxChars', o.maxChars, 'type="number" min="1" max="500" step="1"')) +
      '<div class="span-2">' + field(i, 'default', 'Default text', input(i, 'default', o.default, 'maxlength="500"'), 'Shown until the shopper types; leave empty for none.') + '</div>' +
      field(i, 'minSize', 'Smallest size', '<div class="input-group">' + input(i, 'minSize', o.minSize, 'type="number" min="4" max="500" step="any"') + '<span class="input-group__suffix">pt</span></div>') +
      field(i, 'maxSize', 'Largest size', '<div class="input-group">' + input(i, 'maxSize', o.maxSize, 'type="number" min="4" max="500" step="any"') + '<span class="input-group__suffix">pt</span></div>') +
      '<div class="field span-2"><span class="field__label" id="o' + i + '-fonts-label">Fonts shoppers can pick</span><div class="chips" role="group" aria-labelledby="o' + i + '-fonts-label" tabindex="-1" data-field="' + optionPath(i) + '.fonts">' +
      S.fonts.map(function (f) {
        return '<label class="chip"><input type="checkbox" data-key="font" value="' + esc(f.id) + '"' + (allowed.indexOf(f.id) >= 0 ? ' checked' : '') + '>' + esc(f.name) + '</label>';
      }).join('') + '</div><div class="field__error" data-error-for="' + optionPath(i) + '.fonts"></div></div>' +
      price(i, o) + condition(i, o) + placeFields(i, o, true) + '</div></div>';
  }
  /* Stacking order, and for text the arc it follows (radius in mm, over or under). */
  function placeFields(i, o, arc) {
    var sl = o.slot || {}, p = optionPath(i) + '.slot';
    var others = o.slot ? overlappers(o) : [];
    var note = others.length ? '<p class="slot-note span-2" role="status">No free place was left in “' + esc(areaIdOf(o)) + '”: this option overlaps ' +
      others.map(function (x) { return '“' + esc(x.label || x.id) + '”'; }).join(', ') + '. Drag its dotted box on the photo, or make the others smaller.</p>' : '';
    var z = field(i, 'slotZ', 'Stacking order', '<input class="input" id="o' + i + '-slotZ" data-key="slotZ" data-field="' + p + '.z" type="number" min="0" max="99" step="1" value="' +
      esc(typeof sl.z === 'number' ? sl.z : DEFAULT_Z[o.type]) + '">', 'Higher numbers are drawn on top.');
    if (!arc) return note + z;
    return note + z + field(i, 'arcRadiusMm', 'Arc radius', '<div class="input-group"><input class="input" id="o' + i + '-arcRadiusMm" data-key="arcRadiusMm" data-field="' + p + '.arcRadiusMm" type="number" min="1" max="5000" step="any" inputmode="decimal" placeholder="Straight" value="' +
      esc(sl.arcRadiusMm || '') + '"><span class="input-group__suffix">mm</span></div>', 'Text follows a circle of this radius: for rings, pendants, round tags and mugs. Empty for straight text.') +
      field(i, 'arcDirection', 'Arc direction', '<select class="select" id="o' + i + '-arcDirection" data-key="arcDirection" data-field="' + p + '.arcDirection"' + (sl.arcRadiusMm ? '' : ' disabled') + '>' +
      [['arch', 'Over the top (arch)'], ['smile', 'Under (smile)']].map(function (d) { return '<option value="' + d[0] + '"' + ((sl.arcDirection || 'arch') === d[0] ? ' selected' : '') + '>' + d[1] + '</option>'; }).join('') + '</select>');
  }
  function materialOption(i, o) {
    var chosen = (o.values || []).map(function (v) { return v.value; });
    return '<div class="option" data-option-index="' + i + '">' + head(i, o, true) +
      field(i, 'label', 'Label shoppers see', input(i, 'label', o.label, 'maxlength="80"')) +
      '<div class="stack stack--tight" data-field="' + optionPath(i) + '.values" tabindex="-1">' +
      S.materials.map(function (m) {
        var j = chosen.indexOf(m.value), v = j >= 0 ? o.values[j] : null;
        return '<div class="material-row"><label class="checkbox"><input type="checkbox" data-key="material" value="' + esc(JSON.stringify(m.value)) + '"' + (v ? ' checked' : '') + '>' +
          esc(m.label) + '</label>' + (v ? '<div class="input-group"><input class="input" aria-label="Price add-on for ' + esc(m.label) + '" inputmode="decimal" data-key="valuePrice" data-value-index="' + j +
          '" data-field="' + optionPath(i) + '.values[' + j + '].priceCents" value="' + esc(L.fromMinor(v.priceCents || 0, S.currency)) + '"><span class="input-group__suffix">+' + esc(S.currency) + '</span></div>' : '<span></span>') + '</div>';
      }).join('') + '</div><div class="field__error" data-error-for="' + optionPath(i) + '.values"></div>' + condition(i, o) + '</div>';
  }
  function colorOption(i, o) {
    return '<div class="option" data-option-index="' + i + '">' + head(i, o, true) +
      field(i, 'label', 'Label shoppers see', input(i, 'label', o.label, 'maxlength="80"')) +
      '<div class="stack stack--tight" data-field="' + optionPath(i) + '.values" tabindex="-1">' +
      (o.values || []).map(function (v, j) {
        var p = optionPath(i) + '.values[' + j + ']';
        return '<div class="value-row"><input type="color" aria-label="Colour" data-key="valueColor" data-value-index="' + j + '" data-field="' + p + '.value" value="' + esc(v.value) + '">' +
          '<input class="input" aria-label="Colour name" maxlength="80" data-key="valueLabel" data-value-index="' + j + '" value="' + esc(v.label || '') + '" placeholder="Name, e.g. Navy">' +
          '<div class="input-group"><input class="input" aria-label="Price add-on" inputmode="decimal" data-key="valuePrice" data-value-index="' + j + '" data-field="' + p + '.priceCents" value="' + esc(L.fromMinor(v.priceCents || 0, S.currency)) + '"><span class="input-group__suffix">+' + esc(S.currency) + '</span></div>' +
          '<button type="button" class="btn btn--tertiary btn--icon" data-action="remove-value" data-value-index="' + j + '" aria-label="Remove colour">×</button>' +
          '<div class="field__error span-all" data-error-for="' + p + '.value"></div></div>';
      }).join('') + '<div><button type="button" class="btn" data-action="add-color-value">Add colour</button></div></div>' +
      '<div class="field__error" data-error-for="' + optionPath(i) + '.values"></div>' + condition(i, o) + '</div>';
  }
  function mediaOption(type, title, help) {
    var i = options().findIndex(function (o) { return o.type === type; }), o = options()[i];
    var toggle = '<div class="option"><div class="media-toggle"><label class="switch"><input type="checkbox" role="switch" data-action="toggle-' + type + '"' +
      (o ? ' checked' : '') + '><span class="switch__track"></span><span class="strong">' + title + '</span></label></div><p class="muted small">' + help + '</p>';
    if (!o) return toggle + '</div>';
    var extra = type === 'image' ? field(i, 'minDpi', 'Minimum print quality', '<select class="select" id="o' + i + '-minDpi" data-key="minDpi" data-field="' + optionPath(i) + '.minDpi">' +
      [[100, 'Draft · 100 dpi'], [150, 'Good · 150 dpi'], [200, 'Sharp · 200 dpi'], [300, 'Best · 300 dpi']].map(function (d) {
        return '<option value="' + d[0] + '"' + ((o.minDpi || 150) === d[0] ? ' selected' : '') + '>' + d[1] + '</option>';
      }).join('') + '</select>', 'Photos too small to print this sharp at the print area’s size are refused.') : '';
    return toggle + '<div class="form-grid" data-option-index="' + i + '">' +
      '<div class="span-2">' + field(i, 'label', 'Label shoppers see', input(i, 'label', o.label, 'maxlength="80"')) + '</div>' +
      areaSelect(i, o) + price(i, o) + (extra ? '<div class="span-2">' + extra + '</div>' : '') + '<div class="span-2">' + condition(i, o) + '</div>' + placeFields(i, o, false) + '</div></div>';
  }
  /* Labels per language: every language the template uses gets a field per option label and
   * per choice label ("Labels in other languages" under each option). */
  var addedLangs = [], openLangs = {};
  var LANG_NAMES = window.Intl && Intl.DisplayNames ? new Intl.DisplayNames(['en'], { type: 'language' }) : null;
  function langName(code) { try { return (LANG_NAMES && LANG_NAMES.of(code)) || code; } catch (e) { return code; } }
  function langs() {
    var seen = {};
    addedLangs.forEach(function (c) { seen[c] = true; });
    options().forEach(function (o) {
      Object.keys(o.labels || {}).forEach(function (c) { seen[c] = true; });
      (o.values || []).forEach(function (v) { Object.keys(v.labels || {}).forEach(function (c) { seen[c] = true; }); });
    });
    return Object.keys(seen).sort();
  }
  function translations(i, o) {
    var codes = langs(), p = optionPath(i), count = Object.keys(o.labels || {}).length;
    var values = o.type === 'material' || o.type === 'color' || o.type === 'choice' ? (o.values || []) : [];
    return '<details class="translations" data-translations="' + esc(o.id) + '"' + (openLangs[o.id] ? ' open' : '') + '>' +
      '<summary>Labels in other languages' + (count ? ' (' + count + ')' : '') + '</summary>' +
      '<div class="stack stack--tight"><p class="muted small">Shoppers whose storefront is in that language see these; empty fields show the label above.</p>' +
      '<div class="field__error" data-error-for="' + p + '.labels"></div>' +
      codes.map(function (code) {
        var id = 'o' + i + '-lang-' + code;
        return '<fieldset class="translations__lang"><legend>' + esc(langName(code)) + ' <span class="muted">(' + esc(code) + ')</span>' +
          '<button type="button" class="btn btn--tertiary" data-action="remove-lang" data-lang="' + esc(code) + '">Remove ' + esc(langName(code)) + '</button></legend>' +
          '<div class="form-grid">' +
          '<div class="field"><label for="' + id + '">' + esc(o.label || 'Label') + '</label><input class="input" id="' + id + '" lang="' + esc(code) + '" maxlength="80" data-key="labelIn" data-lang="' + esc(code) + '" data-field="' + p + '.labels.' + esc(code) + '" value="' + esc((o.labels || {})[code] || '') + '">' +
          '<div class="field__error" data-error-for="' + p + '.labels.' + esc(code) + '"></div></div>' +
          values.map(function (v, j) {
            var vid = id + '-v' + j, vp = p + '.values[' + j + '].labels.' + code;
            return '<div class="field"><label for="' + vid + '">' + esc(valueLabel(o, v)) + '</label><input class="input" id="' + vid + '" lang="' + esc(code) + '" maxlength="80" data-key="labelIn" data-lang="' + esc(code) + '" data-value-index="' + j + '" data-field="' + vp + '" value="' + esc((v.labels || {})[code] || '') + '">' +
              '<div class="field__error" data-error-for="' + vp + '"></div></div>';
          }).join('') + '</div></fieldset>';
      }).join('') +
      '<div class="inline"><label class="visually-hidden" for="o' + i + '-new-lang">Language code</label>' +
      '<input class="input translations__code" id="o' + i + '-new-lang" maxlength="2" placeholder="fr" data-role="new-lang" autocomplete="off" aria-describedby="o' + i + '-new-lang-help">' +
      '<button type="button" class="btn" data-action="add-lang">Add language</button>' +
      '<span class="muted small" id="o' + i + '-new-lang-help">Two-letter code: fr, de, es, it…</span></div></div></details>';
  }
  function withTranslations() {
    root.querySelectorAll('#text-options [data-option-index], #choice-options [data-option-index], #media-options [data-option-index]').forEach(function (box) {
      if (box.parentElement.closest('[data-option-index]')) return;
      var i = +box.dataset.optionIndex, o = options()[i];
      if (o) box.insertAdjacentHTML('beforeend', '<div class="span-2">' + translations(i, o) + '</div>');
    });
  }
  function renderOptions() {
    var texts = '', choices = '';
    options().forEach(function (o, i) {
      if (o.type === 'text') texts += textOption(i, o);
      else if (o.type === 'material') choices += materialOption(i, o);
      else if (o.type === 'color') choices += colorOption(i, o);
      else if (o.type === 'choice') choices += '<div class="option" data-option-index="' + i + '">' + head(i, o, true) + '<p class="muted small">' + (o.values || []).length + ' choices (set through the API)</p></div>';
    });
    $('text-options').innerHTML = texts || '<div class="option"><p class="muted">No text field. Add one so shoppers can type a name or a message.</p></div>';
    var hasMaterial = options().some(function (o) { return o.type === 'material'; });
    var hasColor = options().some(function (o) { return o.type === 'color'; });
    $('choice-options').innerHTML = choices + ((hasMaterial && hasColor) ? '' : '<div class="option"><div class="inline">' +
      (hasMaterial ? '' : '<button type="button" class="btn" data-add="material">Offer materials</button>') +
      (hasColor ? '' : '<button type="button" class="btn" data-add="color">Offer colours</button>') + '</div></div>');
    $('media-options').innerHTML = mediaOption('image', 'Photo upload', 'Shoppers upload a photo that is placed in the print area.') +
      mediaOption('ai', 'AI artwork', 'Shoppers describe a picture and Luneo draws it for the print area.');
    withTranslations();
  }
  root.addEventListener('toggle', function (e) {
    var d = e.target.closest && e.target.closest('[data-translations]');
    if (d) openLangs[d.dataset.translations] = d.open;
  }, true);
  root.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && e.target.dataset && e.target.dataset.role === 'new-lang') {
      e.preventDefault();
      var add = e.target.parentElement.querySelector('[data-action="add-lang"]');
      if (add) add.click();
    }
  });
  function newOption(type) {
    var taken = options().map(function (o) { return o.id; });
    var area = areas().length ? areas()[0].id : undefined;
    var base = { text: { id: uniqueId('text-', taken), type: 'text', label: 'Your text', printArea: area, maxChars: 20, fonts: S.defaultFonts.slice(), default: '', minSize: 8, maxSize: 72, priceCents: 0 },
      material: { id: uniqueId('material', taken), type: 'material', label: 'Finish', values: [{ value: null, label: materialLabel['null'], priceCents: 0 }], priceCents: 0 },
      color: { id: uniqueId('colour', taken), type: 'color', label: 'Colour', values: [{ value: '#1f2a44', label: 'Navy', priceCents: 0 }], priceCents: 0 },
      image: { id: uniqueId('photo', taken), type: 'image', label: 'Your photo', printArea: area, minDpi: 150, priceCents: 0 },
      ai: { id: uniqueId('artwork', taken), type: 'ai', label: 'AI artwork', printArea: area, priceCents: 0 } }[type];
    if (base.printArea === undefined) delete base.printArea;
    return base;
  }
  function removeOption(i) {
    var gone = options().splice(i, 1)[0];
    options().forEach(function (o) { if (o.showWhen && o.showWhen.option === gone.id) delete o.showWhen; });
  }

  root.addEventListener('click', function (e) {
    var add = e.target.closest('[data-add]'), act = e.target.closest('[data-action]');
    if (add) {
      var made = newOption(add.dataset.add);
      options().push(made);
      giveSlot(made);
      renderAreas();
      renderOptions();
      changed();
      var boxes = root.querySelectorAll('[data-option-index="' + (options().length - 1) + '"] input');
      if (boxes.length) boxes[0].focus();
      return;
    }
    if (!act || act.type === 'checkbox') return;
    var box = act.closest('[data-option-index]'), i = box ? +box.dataset.optionIndex : -1;
    if (act.dataset.action === 'add-lang') {
      var codeInput = act.parentElement.querySelector('[data-role="new-lang"]'), code = codeInput.value.trim().toLowerCase();
      if (!/^[a-z]{2}$/.test(code)) { L.toast('Type a two-letter language code, like fr or de.', { error: true }); codeInput.focus(); return; }
      if (addedLangs.indexOf(code) < 0) addedLangs.push(code);
      openLangs[options()[i].id] = true;
      renderOptions();
      var first = root.querySelector('#o' + i + '-lang-' + code);
      if (first) first.focus();
      return;
    }
    if (act.dataset.action === 'remove-lang') {
      var gone = act.dataset.lang;
      addedLangs = addedLangs.filter(function (c) { return c !== gone; });
      options().forEach(function (o) {
        if (o.labels) { delete o.labels[gone]; if (!Object.keys(o.labels).length) delete o.labels; }
        (o.values || []).forEach(function (v) { if (v.labels) { delete v.labels[gone]; if (!Object.keys(v.labels).length) delete v.labels; } });
      });
      renderOptions();
      changed();
      L.toast(langName(gone) + ' labels removed');
      return;
    }
    if (act.dataset.action === 'remove') { removeOption(i); renderAreas(); }
    else if (act.dataset.action === 'add-color-value') options()[i].values.push({ value: '#000000', label: '', priceCents: 0 });
    else if (act.dataset.action === 'remove-value') options()[i].values.splice(+act.dataset.valueIndex, 1);
    else return;
    renderOptions();
    changed();
  });
  root.addEventListener('change', function (e) {
    var action = e.target.dataset.action;
    if (action === 'toggle-image' || action === 'toggle-ai') {
      var type = action.slice(7), i = options().findIndex(function (o) { return o.type === type; });
      if (e.target.checked && i < 0) { var fresh = newOption(type); options().push(fresh); giveSlot(fresh); renderAreas(); }
      if (!e.target.checked && i >= 0) { removeOption(i); renderAreas(); }
      renderOptions();
      changed();
      var sw = root.querySelector('[data-action="' + action + '"]');
      if (sw) sw.focus();
    }
  });
  root.addEventListener('input', function (e) {
    var t = e.target, key = t.dataset.key, box = t.closest('[data-option-index]');
    if (!key || !box) return;
    var o = options()[+box.dataset.optionIndex], j = +t.dataset.valueIndex;
    if (key === 'label' || key === 'default') {
      o[key] = t.value;
      if (key === 'label') { var title = box.querySelector('.option__title'); if (title) title.textContent = t.value || 'Untitled'; }
    } else if (key === 'printArea') { o.printArea = t.value; giveSlot(o); renderAreas(); }
    else if (key === 'slotZ') {
      o.slot = o.slot || {};
      if (t.value === '') delete o.slot.z; else o.slot.z = isNaN(Number(t.value)) ? t.value : Number(t.value);
    } else if (key === 'arcRadiusMm' || key === 'arcDirection') {
      o.slot = o.slot || {};
      if (t.value === '') delete o.slot[key]; else o.slot[key] = key === 'arcRadiusMm' ? (isNaN(Number(t.value)) ? t.value : Number(t.value)) : t.value;
      if (!o.slot.arcRadiusMm) delete o.slot.arcDirection; else if (!o.slot.arcDirection) o.slot.arcDirection = 'arch';
      var direction = box.querySelector('[data-key="arcDirection"]');
      if (direction) direction.disabled = !o.slot.arcRadiusMm;
      renderAreas();
    }
    else if (key === 'maxChars' || key === 'minSize' || key === 'maxSize' || key === 'minDpi') {
      if (t.value === '') { if (key === 'maxChars') o[key] = null; else delete o[key]; } else o[key] = isNaN(Number(t.value)) ? t.value : Number(t.value);
    } else if (key === 'priceCents') {
      var cents = L.toMinor(t.value || '0', S.currency);
      o.priceCents = isNaN(cents) ? t.value : cents;
    } else if (key === 'showWhen') {
      if (t.value) o.showWhen = JSON.parse(t.value); else delete o.showWhen;
    } else if (key === 'font') {
      var picked = Array.prototype.map.call(box.querySelectorAll('[data-key="font"]:checked'), function (c) { return c.value; });
      o.fonts = picked;
    } else if (key === 'material') {
      var value = JSON.parse(t.value), k = o.values.findIndex(function (v) { return v.value === value; });
      if (t.checked && k < 0) {
        o.values.push({ value: value, label: materialLabel[String(value)], priceCents: 0 });
        var order = S.materials.map(function (m) { return m.value; });
        o.values.sort(function (a, b) { return order.indexOf(a.value) - order.indexOf(b.value); });
      }
      if (!t.checked && k >= 0) o.values.splice(k, 1);
      renderOptions();
      var again = root.querySelector('[data-option-index="' + box.dataset.optionIndex + '"] [data-key="material"][value="' + CSS.escape(t.value) + '"]');
      if (again) again.focus();
    } else if (key === 'valuePrice') {
      var c = L.toMinor(t.value || '0', S.currency);
      o.values[j].priceCents = isNaN(c) ? t.value : c;
    } else if (key === 'labelIn') {
      var target = isNaN(j) ? o : o.values[j], code = t.dataset.lang;
      target.labels = Object.assign({}, target.labels || {});
      if (t.value.trim()) target.labels[code] = t.value; else delete target.labels[code];
      if (!Object.keys(target.labels).length) delete target.labels;
    } else if (key === 'valueColor') o.values[j].value = t.value;
    else if (key === 'valueLabel') o.values[j].label = t.value;
    changed();
  });

  /* ---------------------------------------------------------------- preview */
  var previewTimer = null, previewCtl = null, previewUrl = null;
  var previewImg = $('preview'), previewNote = $('preview-note'), spinner = $('preview-spinner'), sample = $('sample-text');
  function schedulePreview() { clearTimeout(previewTimer); previewTimer = setTimeout(drawPreview, 450); }
  function drawPreview() {
    if (previewCtl) previewCtl.abort();
    previewCtl = new AbortController();
    var values = {}, first = options().find(function (o) { return o.type === 'text'; });
    if (first && sample.value.trim()) values[first.id] = sample.value.trim();
    spinner.hidden = false;
    previewImg.parentNode.classList.add('preview-box--stale');
    var body = { template: T, values: values };
    if (editing >= 0 && variants()[editing]) body.variantId = variants()[editing].id;
    L.api(boot.api + '/preview', { method: 'POST', body: body, raw: true, signal: previewCtl.signal })
      .then(function (blob) {
        if (previewUrl) URL.revokeObjectURL(previewUrl);
        previewUrl = URL.createObjectURL(blob);
        previewImg.src = previewUrl;
        previewImg.hidden = false;
        previewNote.hidden = true;
        previewImg.parentNode.classList.remove('preview-box--stale');
      })
      .catch(function (err) {
        if (err.name === 'AbortError') return;
        var first = err.details && Object.keys(err.details)[0];
        previewNote.hidden = false;
        previewNote.textContent = err.status === 422
          ? 'Preview paused: ' + (first ? err.details[first] : err.message) + '.'
          : 'The preview could not be drawn right now.';
      })
      .finally(function () { spinner.hidden = true; });
  }
  sample.addEventListener('input', schedulePreview);

  /* ---------------------------------------------------------------- variants */
  var variantList = $('variant-list'), viewSelect = $('variant-view');
  function photoOf(v) { return (v && variantPhotos[v.id]) || S.photo; }
  /* The canvas on the chosen variant's photo, with its print areas (or the product's). */
  function showVariant() {
    var v = editing >= 0 ? variants()[editing] : null, ph = photoOf(v), box = $('canvas'), img = $('photo');
    $('variant-view-field').hidden = !variants().length;
    viewSelect.innerHTML = '<option value="-1">Product photo</option>' + variants().map(function (x, i) {
      return '<option value="' + i + '"' + (i === editing ? ' selected' : '') + '>' + esc(x.label || x.id || 'Variant ' + (i + 1)) + '</option>';
    }).join('');
    $('variant-note').textContent = !v ? '' : ownAreas() ? 'Its own print areas: drag them on its photo.'
      : 'Uses the product\u2019s print areas. Tick \u201cOwn print areas\u201d to place them differently.';
    if (ph) {
      if (!img) {
        img = document.createElement('img');
        img.className = 'canvas__photo';
        img.id = 'photo';
        img.draggable = false;
        var none = box.querySelector('.canvas__nophoto');
        if (none) none.remove();
        box.insertBefore(img, box.firstChild);
      }
      if (img.getAttribute('src') !== ph.url) img.src = ph.url;
      img.width = ph.width;
      img.height = ph.height;
      img.alt = S.title + (v ? ' \u00b7 ' + (v.label || v.id) : '');
      box.style.aspectRatio = ph.width + ' / ' + ph.height;
    }
    if (selected >= areas().length) selected = areas().length ? 0 : -1;
  }
  function renderVariants() {
    variantList.innerHTML = variants().map(function (v, i) {
      var p = 'variants[' + i + ']', ph = variantPhotos[v.id], own = Array.isArray(v.printAreas) && v.printAreas.length > 0;
      return '<div class="option" data-variant-index="' + i + '"><div class="stack stack--tight">' +
        '<div class="field__error" data-error-for="' + p + '"></div>' +
        '<div class="form-grid form-grid--2">' +
        '<div class="field"><label for="variant-id-' + i + '">Variant id</label><input class="input" id="variant-id-' + i + '" data-vkey="id" data-field="' + p + '.id" maxlength="64" value="' + esc(v.id || '') + '" aria-describedby="variant-id-help-' + i + '">' +
        '<p class="muted small" id="variant-id-help-' + i + '">The number at the end of the variant\u2019s page address in Shopify.</p><div class="field__error" data-error-for="' + p + '.id"></div></div>' +
        '<div class="field"><label for="variant-label-' + i + '">Name</label><input class="input" id="variant-label-' + i + '" data-vkey="label" data-field="' + p + '.label" maxlength="80" value="' + esc(v.label || '') + '" placeholder="Black">' +
        '<div class="field__error" data-error-for="' + p + '.label"></div></div>' +
        '</div>' +
        '<div class="inline inline--wrap">' +
        (ph ? '<img class="variant__thumb" src="' + esc(ph.url) + '" alt="Photo of ' + esc(v.label || v.id) + '" width="48" height="48">' : '<span class="muted small">Product photo</span>') +
        '<label class="btn" for="variant-photo-' + i + '">' + (ph ? 'Replace photo' : 'Upload its photo') + '</label>' +
        '<input class="visually-hidden" type="file" accept="image/png,image/jpeg,image/webp" id="variant-photo-' + i + '" data-vaction="photo">' +
        '<label class="inline"><input type="checkbox" data-vaction="own"' + (own ? ' checked' : '') + '> Own print areas</label>' +
        '<button type="button" class="btn" data-vaction="show"' + (i === editing ? ' aria-pressed="true"' : '') + '>Show on photo</button>' +
        '<button type="button" class="btn btn--tertiary" data-vaction="remove" style="color:var(--critical-text)">Remove</button>' +
        '</div><div class="field__error" data-error-for="' + p + '.photoKey"></div><div class="field__error" data-error-for="' + p + '.printAreas"></div></div></div>';
    }).join('') || '<div class="card__section"><p class="muted small">No variant has its own photo or print areas.</p></div>';
  }
  function view(i) {
    editing = i;
    errorAreas = {};
    selected = areas().length ? 0 : -1;
    renderVariants(); showVariant(); renderAreas(); renderAreaForm(); schedulePreview();
  }
  viewSelect.addEventListener('change', function () { view(+viewSelect.value); });
  $('add-variant').addEventListener('click', function () {
    T.variants = variants();
    T.variants.push({ id: '', label: '' });
    view(T.variants.length - 1);
    changed();
    var input = $('variant-id-' + (T.variants.length - 1));
    if (input) input.focus();
  });
  variantList.addEventListener('input', function (e) {
    var box = e.target.closest('[data-variant-index]'), key = e.target.dataset.vkey;
    if (!box || !key) return;
    var v = variants()[+box.dataset.variantIndex], old = v.id;
    v[key] = e.target.value;
    if (key === 'id' && variantPhotos[old] && !variantPhotos[v.id]) { variantPhotos[v.id] = variantPhotos[old]; delete variantPhotos[old]; }
    showVariant();
    changed();
  });
  variantList.addEventListener('click', function (e) {
    var act = e.target.closest('[data-vaction]'), box = e.target.closest('[data-variant-index]');
    if (!act || !box || act.type === 'checkbox' || act.type === 'file') return;
    var i = +box.dataset.variantIndex;
    if (act.dataset.vaction === 'show') view(i);
    else if (act.dataset.vaction === 'remove') {
      var gone = T.variants.splice(i, 1)[0];
      if (!T.variants.length) delete T.variants;
      view(editing === i ? -1 : editing > i ? editing - 1 : editing);
      changed();
      L.toast('Variant \u201c' + (gone.label || gone.id) + '\u201d removed');
    }
  });
  variantList.addEventListener('change', function (e) {
    var act = e.target.dataset.vaction, box = e.target.closest('[data-variant-index]');
    if (!act || !box) return;
    var i = +box.dataset.variantIndex, v = variants()[i];
    if (act === 'own') {
      if (e.target.checked) v.printAreas = clone(T.printAreas || []);
      else delete v.printAreas;
      view(i);
      changed();
      var again = variantList.querySelector('[data-variant-index="' + i + '"] [data-vaction="own"]');
      if (again) again.focus();
    } else if (act === 'photo' && e.target.files[0]) {
      if (!v.id) { L.toast('Give the variant its id first.', { error: true }); e.target.value = ''; return; }
      var data = new FormData();
      data.append('file', e.target.files[0]);
      L.api(boot.api + '/variants/' + encodeURIComponent(v.id) + '/photo', { method: 'POST', body: data })
        .then(function (answer) {
          v.photoKey = answer.photoKey;
          if (answer.photo) variantPhotos[v.id] = answer.photo;
          view(i);
          changed();
          L.toast('Photo of \u201c' + (v.label || v.id) + '\u201d uploaded \u00b7 save to keep it');
        })
        .catch(function (err) {
          var first = err.details && Object.keys(err.details)[0];
          L.toast((first ? err.details[first] : err.message) || 'The photo could not be uploaded', { error: true });
        });
    }
  });

  /* ---------------------------------------------------------------- save */
  var banner = $('editor-banner');
  function showBanner(kind, html) {
    banner.innerHTML = html ? '<div class="banner banner--' + kind + '" role="alert"><div>' + html + '</div></div>' : '';
  }
  function renderAll() { renderVariants(); showVariant(); renderAreas(); renderAreaForm(); renderOptions(); changed(); }
  saveBtn.addEventListener('click', function () {
    L.busy(saveBtn, true);
    L.api(boot.api + '/template', { method: 'PUT', body: { template: T, templateVersion: S.templateVersion } })
      .then(function (state) {
        S = state;
        T = clone(state.template);
        saved = JSON.stringify(T);
        variantPhotos = Object.assign({}, state.variantPhotos || {});
        if (editing >= variants().length) editing = -1;
        errorAreas = {};
        showBanner();
        var suggested = $('suggested-banner');
        if (suggested) suggested.remove();
        L.busy(saveBtn, false);
        renderAll();
        L.toast('Template saved');
      })
      .catch(function (err) {
        L.busy(saveBtn, false);
        changed();
        if (err.status === 422) {
          errorAreas = {};
          Object.keys(err.details).forEach(function (k) {
            var v = /^variants\[(\d+)\]\.printAreas\[(\d+)\]/.exec(k);
            if (v && editing !== +v[1]) { editing = +v[1]; errorAreas = {}; showVariant(); }
            var m = v ? [null, v[2]] : /^printAreas\[(\d+)\]/.exec(k);
            if (m && (!!v === !!ownAreas())) errorAreas[+m[1]] = true;
          });
          var firstBad = Object.keys(errorAreas)[0];
          if (firstBad !== undefined && !errorAreas[selected]) selected = +firstBad;
          renderAreas(); renderAreaForm(); renderOptions();
          var unplaced = L.showFieldErrors(root, err.details), count = Object.keys(err.details).length;
          showBanner('critical', '<strong>' + count + (count === 1 ? ' problem needs' : ' problems need') + ' fixing before saving.</strong>' +
            (unplaced.length ? '<ul>' + unplaced.map(function (u) { return '<li>' + esc(u) + '</li>'; }).join('') + '</ul>' : ' They are marked next to the fields.'));
        } else if (err.status === 409) {
          showBanner('warning', '<strong>' + esc(err.message) + '</strong> <button type="button" class="btn" onclick="location.reload()">Reload</button>');
        } else {
          L.toast(err.message || 'Could not save', { error: true });
        }
      });
  });
  discardBtn.addEventListener('click', function () {
    T = clone(S.template);
    errorAreas = {};
    editing = -1;
    selected = areas().length ? 0 : -1;
    showBanner();
    L.clearFieldErrors(root);
    renderAll();
  });
  window.addEventListener('beforeunload', function (e) { if (isDirty()) { e.preventDefault(); e.returnValue = ''; } });

  renderAll();
  drawPreview();
})();
