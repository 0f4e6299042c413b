/* Orders page: "Render files again" for an order whose files retention removed
   (POST /admin/api/orders/<id>/reprint, or the console's /console/api twin). */
(function () {
  var L = window.Luneo;
  document.querySelectorAll('[data-reprint]').forEach(function (button) {
    button.addEventListener('click', function () {
      L.busy(button, true);
      L.api('/orders/' + encodeURIComponent(button.dataset.reprint) + '/reprint', { method: 'POST' })
        .then(function () {
          L.toast('The production files are being made again from the saved designs.');
          setTimeout(function () { location.reload(); }, 600);
        }, function (err) {
          L.busy(button, false);
          L.toast((err && err.message) || 'The files could not be made again.', { error: true });
        });
    });
  });
})();
