/* Plan page: choosing a plan opens Shopify's confirmation page (merchants) or Stripe
   Checkout (API brands) at the top level; a downgrade shows what it takes away first. */
(function () {
  'use strict';
  var L = window.Luneo, esc = L.esc;
  var dialog = document.getElementById('downgrade');

  function top(url) {
    // App Bridge turns a _top navigation of the embedded app into the admin's own redirect.
    window.open(url, '_top');
  }

  function choose(button, confirm) {
    L.busy(button, true);
    return L.api('/billing/subscribe', { method: 'POST', body: { plan: button.dataset.choose, confirm: confirm } })
      .then(function (res) {
        if (res.confirmationUrl || res.url) return top(res.confirmationUrl || res.url);
        L.toast(res.cancelled ? 'Subscription cancelled: the free plan applies once Shopify confirms' : 'Done');
        setTimeout(function () { location.reload(); }, 1200);
      })
      .catch(function (err) {
        if (err.code === 'downgrade_needs_confirmation') return explain(button, err.details.effects || []);
        L.toast(err.message || 'Could not change the plan', { error: true });
      })
      .finally(function () { L.busy(button, false); });
  }

  function explain(button, effects) {
    document.getElementById('downgrade-title').textContent = 'Before you switch to ' + button.dataset.name;
    document.getElementById('downgrade-effects').innerHTML = effects.map(function (e) {
      return '<li class="banner banner--warning"><div>' + esc(e.message) + '</div></li>';
    }).join('');
    dialog.returnValue = '';
    dialog.showModal();
    dialog.addEventListener('close', function once() {
      dialog.removeEventListener('close', once);
      if (dialog.returnValue === 'confirm') choose(button, true);
    });
  }

  document.querySelectorAll('[data-choose]').forEach(function (button) {
    button.addEventListener('click', function () { choose(button, false); });
  });
  // Back from Shopify before its webhook arrived: look again shortly (a few times).
  if (document.querySelector('[data-awaiting-shopify]')) {
    var tries = Number(sessionStorage.getItem('luneo.billing.awaiting') || 0);
    if (tries < 5) {
      sessionStorage.setItem('luneo.billing.awaiting', String(tries + 1));
      setTimeout(function () { location.reload(); }, 2000);
    }
  } else {
    sessionStorage.removeItem('luneo.billing.awaiting');
  }

  var capForm = document.getElementById('cap-form');
  if (capForm) {
    capForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var input = document.getElementById('cap-amount');
      var error = document.getElementById('cap-error');
      var button = document.getElementById('cap-raise');
      var dollars = Number(input.value);
      error.textContent = '';
      input.removeAttribute('aria-invalid');
      if (!input.value || !isFinite(dollars) || dollars <= 0) {
        error.textContent = 'Enter the new monthly cap in USD.';
        input.setAttribute('aria-invalid', 'true');
        return;
      }
      L.busy(button, true);
      L.api('/billing/cap', { method: 'POST', body: { cappedAmountCents: Math.round(dollars * 100) } })
        .then(function (res) { top(res.confirmationUrl); })
        .catch(function (err) {
          error.textContent = err.message || 'Could not raise the cap';
          input.setAttribute('aria-invalid', 'true');
        })
        .finally(function () { L.busy(button, false); });
    });
  }

  document.querySelectorAll('[data-portal]').forEach(function (button) {
    button.addEventListener('click', function () {
      L.busy(button, true);
      L.api('/billing/portal', { method: 'POST', body: {} })
        .then(function (res) { top(res.url); })
        .catch(function (err) { L.toast(err.message || 'Could not open the billing portal', { error: true }); })
        .finally(function () { L.busy(button, false); });
    });
  });
})();
