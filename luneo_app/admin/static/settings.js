/* Settings: one save for every field; the server's messages appear next to the fields. */
(function () {
  'use strict';
  var L = window.Luneo, cfg = L.config, esc = L.esc;
  var form = document.getElementById('settings-form'), button = document.getElementById('save-settings');
  var budget = document.getElementById('budget'), banner = document.getElementById('settings-banner');
  if (budget.dataset.cents !== '') budget.value = L.fromMinor(Number(budget.dataset.cents), cfg.currency);

  function values() {
    var text = budget.value.trim(), cents = text === '' ? null : L.toMinor(text, cfg.currency);
    var days = document.getElementById('retentionDays').value;
    return {
      aiEnabled: document.getElementById('aiEnabled').checked,
      proceduralArtwork: document.getElementById('proceduralArtwork').checked,
      monthlyAiBudgetCents: cents !== null && isNaN(cents) ? text : cents,
      retentionDays: days === '' || isNaN(Number(days)) ? days : Number(days),
      webhookUrl: document.getElementById('webhookUrl').value.trim(),
      proofApproval: document.getElementById('proofApproval').value,
      denylist: document.getElementById('denylist').value.split('\n').map(function (s) { return s.trim(); }).filter(Boolean)
    };
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    L.clearFieldErrors(form);
    banner.innerHTML = '';
    L.busy(button, true);
    L.api('/settings', { method: 'PUT', body: values() })
      .then(function (saved) {
        document.getElementById('denylist').value = saved.denylist.join('\n');
        if (saved.webhookSecret) {
          banner.innerHTML = '<div class="banner banner--success" role="status"><div><strong>Webhook signing secret</strong> ' +
            '(shown once; keep it with your receiver to check the <code>Luneo-Signature</code> header):<br><code class="mono" id="webhook-secret">' +
            esc(saved.webhookSecret) + '</code></div></div>';
        }
        L.toast('Settings saved');
      })
      .catch(function (err) {
        if (err.status === 422) {
          L.showFieldErrors(form, err.details);
          banner.innerHTML = '<div class="banner banner--critical" role="alert"><div><strong>' + esc(err.message) + '</strong> They are marked below.</div></div>';
        } else L.toast(err.message || 'Could not save', { error: true });
      })
      .finally(function () { L.busy(button, false); });
  });
})();
