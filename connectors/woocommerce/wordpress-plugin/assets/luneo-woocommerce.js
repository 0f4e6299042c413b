/* Luneo Personalize for WooCommerce: opens the Luneo widget from the product page and, when
 * the shopper adds the design to the cart, puts the design into the add-to-cart form. */
(function () {
  'use strict';

  function summaryText(summary) {
    if (!summary) return '';
    if (typeof summary === 'string') return summary;
    return Object.keys(summary).map(function (k) { return k + ': ' + summary[k]; }).join(', ');
  }

  function setup(button) {
    var config = JSON.parse(button.getAttribute('data-luneo'));
    var form = button.closest('form.cart');
    if (!form || !window.LuneoWidget) return;
    var widget = window.LuneoWidget.init({
      brand: config.brand,
      productId: config.productId,
      host: config.host,
      tokenUrl: config.tokenUrl,
      onAddToCart: function (design) {
        form.querySelector('input[name="luneo_design_id"]').value = design.designId;
        form.querySelector('input[name="luneo_summary"]').value = summaryText(design.summary);
        form.querySelector('input[name="luneo_preview"]').value = design.previewUrl || '';
        var submit = form.querySelector('button[type="submit"][name="add-to-cart"], button.single_add_to_cart_button');
        if (submit) submit.click(); else form.submit();
      }
    });
    button.addEventListener('click', function () { widget.open(); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('button.luneo-personalize'), setup);
  });
})();
