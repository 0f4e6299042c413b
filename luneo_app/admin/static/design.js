/* Design page: the "Approve proof" button (POST /admin/api/designs/<id>/proof). */
(function () {
  var L = window.Luneo;
  document.querySelectorAll('[data-approve-proof]').forEach(function (button) {
    button.addEventListener('click', function () {
      L.busy(button, true);
      L.api('/designs/' + encodeURIComponent(button.dataset.approveProof) + '/proof', { method: 'POST' })
        .then(function () {
          L.toast('Proof approved: the print files are being made.');
          setTimeout(function () { location.reload(); }, 600);
        }, function (err) {
          L.busy(button, false);
          L.toast((err && err.message) || 'The proof could not be approved.', { error: true });
        });
    });
  });
})();
