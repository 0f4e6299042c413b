/* Home: refresh the setup guide with the theme's live state (read from Shopify). */
(function () {
  'use strict';
  var L = window.Luneo;
  var reasons = JSON.parse(document.getElementById('home-reasons').textContent);
  var CHECK = '<svg width="16" height="16" viewBox="0 0 20 20" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M5 10.5l3.2 3L15 7"/></svg>';

  function render(checklist) {
    checklist.steps.forEach(function (step) {
      var item = document.querySelector('[data-step="' + step.id + '"]');
      if (!item) return;
      var state = step.done === true ? 'done' : step.done === false ? 'todo' : 'unknown';
      item.dataset.state = state;
      item.querySelector('.checklist__icon').innerHTML = state === 'done' ? CHECK : '';
      item.querySelector('[data-state-label]').textContent = ' (' + state + ')';
      var reason = item.querySelector('[data-reason]');
      if (reason) reason.textContent = state === 'unknown' ? (reasons[checklist.themeReason] || reasons.checking) : '';
    });
    document.getElementById('setup-count').textContent = checklist.done + ' of ' + checklist.total + ' tasks complete';
    document.getElementById('setup-bar').style.width = Math.round(100 * checklist.done / checklist.total) + '%';
    document.querySelector('#setup .progress').setAttribute('aria-valuenow', checklist.done);
  }

  L.api('/home').then(function (body) { render(body.checklist); }).catch(function () {
    document.querySelectorAll('[data-state="checking"]').forEach(function (item) {
      item.dataset.state = 'unknown';
      var reason = item.querySelector('[data-reason]');
      if (reason) reason.textContent = reasons.shopify_unavailable;
    });
  });
})();
