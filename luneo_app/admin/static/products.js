/* Products: search, pages and the personalization switch, over /admin/api/products. */
(function () {
  'use strict';
  var L = window.Luneo, esc = L.esc;
  var data = JSON.parse(document.getElementById('products-data').textContent);
  var list = document.getElementById('product-list');
  var pages = document.getElementById('product-pages');
  var search = document.getElementById('product-search');
  var current = data.initial, pending = null, timer = null;

  function editorUrl(id) { return data.editorUrl.replace('__ID__', encodeURIComponent(id)); }
  function statusBadge(status) {
    var tone = status === 'active' ? 'success' : status === 'draft' ? 'info' : '';
    return '<span class="badge' + (tone ? ' badge--' + tone : '') + '">' + esc(status.charAt(0).toUpperCase() + status.slice(1)) + '</span>';
  }
  function setup(p) {
    if (!p.personalizable) return '<span class="muted">Not personalizable</span>';
    var areas = p.printAreas + ' print area' + (p.printAreas === 1 ? '' : 's');
    var options = p.options + ' option' + (p.options === 1 ? '' : 's');
    return '<span class="badge badge--success"><span class="badge__dot"></span>Personalizable</span> <span class="muted small nowrap">' + areas + ' · ' + options + '</span>';
  }
  function row(p) {
    var thumb = p.imageUrl
      ? '<img class="thumb" src="' + esc(p.imageUrl) + '" alt="" width="40" height="40" loading="lazy">'
      : '<span class="thumb thumb--empty" aria-hidden="true">—</span>';
    var edit = p.productId && p.personalizable
      ? '<a class="btn" href="' + esc(editorUrl(p.productId)) + '">Edit template</a>' : '';
    return '<tr data-external-id="' + esc(p.externalId) + '">' +
      '<td><div class="inline" style="flex-wrap:nowrap">' + thumb + '<div class="stack stack--tight" style="gap:2px;min-width:0">' +
      '<span class="strong">' + esc(p.title) + '</span><span>' + statusBadge(p.status) + '</span></div></div></td>' +
      '<td class="hide-sm">' + setup(p) + '</td>' +
      '<td><label class="switch"><input type="checkbox" role="switch" data-toggle' + (p.personalizable ? ' checked' : '') +
      ' aria-label="Personalizable: ' + esc(p.title) + '"><span class="switch__track"></span></label></td>' +
      '<td class="num">' + edit + '</td></tr>';
  }
  function empty(query) {
    return '<div class="empty"><h2>' + (query ? 'No products match “' + esc(query) + '”' : 'No products yet') + '</h2><p>' +
      (query ? 'Try another word from the product title.' : 'Add products in Shopify, then come back to make them personalizable.') + '</p></div>';
  }
  function render(page) {
    current = page;
    if (!page.products.length) { list.innerHTML = empty(page.query); pages.hidden = true; return; }
    list.innerHTML = '<div class="table-wrap"><table class="table"><thead><tr><th scope="col">Product</th>' +
      '<th scope="col" class="hide-sm">Personalization</th><th scope="col">On</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>' +
      page.products.map(row).join('') + '</tbody></table></div>';
    var info = page.pageInfo;
    pages.hidden = !(info.hasNextPage || info.hasPreviousPage);
    document.getElementById('prev-page').disabled = !info.hasPreviousPage;
    document.getElementById('next-page').disabled = !info.hasNextPage;
  }
  function load(params) {
    if (pending) pending.abort();
    pending = new AbortController();
    var qs = new URLSearchParams();
    Object.keys(params).forEach(function (k) { if (params[k]) qs.set(k, params[k]); });
    list.setAttribute('aria-busy', 'true');
    return L.api('/products?' + qs.toString(), { signal: pending.signal }).then(render).catch(function (err) {
      if (err.name === 'AbortError') return;
      L.toast(err.message || 'Could not load products', { error: true });
    }).finally(function () { list.removeAttribute('aria-busy'); });
  }

  search.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { load({ query: search.value.trim() }); }, 250);
  });
  document.getElementById('next-page').addEventListener('click', function () {
    load({ query: current.query, after: current.pageInfo.endCursor });
  });
  document.getElementById('prev-page').addEventListener('click', function () {
    load({ query: current.query, before: current.pageInfo.startCursor });
  });
  list.addEventListener('change', function (e) {
    var input = e.target;
    if (!input.matches('[data-toggle]')) return;
    var tr = input.closest('tr'), id = tr.dataset.externalId, on = input.checked;
    input.disabled = true;
    L.api('/products/' + encodeURIComponent(id) + '/personalizable', { method: 'PUT', body: { personalizable: on } })
      .then(function (state) {
        var product = current.products.find(function (p) { return p.externalId === id; });
        Object.assign(product, state);
        tr.outerHTML = row(product);
        L.toast(on ? 'Personalization on. Set up the template next.' : 'Personalization off');
      })
      .catch(function (err) {
        input.checked = !on;
        input.disabled = false;
        L.toast(err.message || 'Could not change the product', { error: true });
      });
  });

  if (current) render(current);
})();
