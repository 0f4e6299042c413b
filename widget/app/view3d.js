// The 3D / AR tab: the shopper's design baked into the product model (Luneo's GLB) in
// <model-viewer>, AR with Luneo's USDZ (iOS) or the GLB (Android). Nothing 3D is fetched
// until the shopper opens the tab: ../three-d.js and the vendored model-viewer load then.

import { api } from './api.js';
import { t } from './i18n.js';

const FALLBACK = {
  view3dEmpty: 'Add your personalization to see it in 3D.',
  view3dMaking: 'Preparing the 3D view…',
  view3dError: 'The 3D view is not available right now.',
};
const say = (key) => (t(key) === key ? FALLBACK[key] : t(key));
const $ = (id) => document.getElementById(id);

/**
 * Show the 3D tab when the product has a 3D model. `ensureDesign()` resolves to the design
 * of the current content (with `designId`); `hasContent()` says whether there is any.
 */
export function setupThreeD({ product, ensureDesign, hasContent }) {
  const tab2d = $('tab-2d');
  const tab3d = $('tab-3d');
  const view2d = $('view-2d');
  const slot = $('view-3d');
  if (!product.has3d || !tab2d || !tab3d || !view2d || !slot) return;
  tab3d.hidden = false;
  let active = false;
  let shownId = '';
  let wanted = 0;

  function select(three) {
    active = three;
    tab2d.setAttribute('aria-pressed', String(!three));
    tab3d.setAttribute('aria-pressed', String(three));
    view2d.hidden = three;
    slot.hidden = !three;
    slot.style.display = three ? 'flex' : ''; // the viewer stretches to the square slot
    if (three) refresh();
  }

  function note(text) {
    shownId = '';
    const p = document.createElement('p');
    p.className = 'status';
    p.setAttribute('role', 'status');
    p.textContent = text;
    slot.replaceChildren(p);
  }

  async function refresh() {
    const ticket = ++wanted;
    if (!hasContent()) return note(say('view3dEmpty'));
    try {
      const design = await ensureDesign();
      if (ticket !== wanted || design.designId === shownId) return;
      note(say('view3dMaking'));
      const [files] = await Promise.all([arFiles(design.designId, () => ticket !== wanted), import('../three-d.js')]);
      if (!files || ticket !== wanted) return;
      await window.LuneoThreeD.open(slot, {
        glbUrl: files.glbUrl,
        usdzUrl: files.usdzUrl,
        poster: design.previewUrl,
        alt: t('previewLabel', { product: product.title }),
        minHeight: '0',
        loadingText: say('view3dMaking'),
        errorText: say('view3dError'),
      });
      shownId = design.designId;
    } catch (err) {
      if (ticket !== wanted) return;
      if (err && err.code === 'no_3d_model') {
        tab3d.hidden = true;
        select(false);
        return;
      }
      note(say('view3dError'));
    }
  }

  tab2d.addEventListener('click', () => select(false));
  tab3d.addEventListener('click', () => select(true));
  // A new server preview means new content: show it in 3D too when the 3D tab is open.
  $('server-preview').addEventListener('load', () => {
    if (active) refresh();
  });
}

/** Poll GET /v1/designs/{id}/ar (202 while the files are made) until the signed URLs come. */
async function arFiles(designId, stale) {
  const deadline = Date.now() + 90000;
  while (Date.now() < deadline) {
    if (stale()) return null;
    const answer = await api(`/v1/designs/${encodeURIComponent(designId)}/ar`);
    if (answer.status === 'ready') return answer;
    const wait = Math.min(Math.max((answer.retryAfter || 1) * 1000, 400), 4000);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  throw new Error('timed out');
}
