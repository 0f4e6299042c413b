// Luneo's Cart Transform: each personalized line (it carries `_luneo_design_id` and the fee
// Luneo's server computed, `_luneo_fee_cents`, in the shop's currency, plus the fee product's
// variant `_luneo_fee_variant`) is expanded into two components:
//   1. the product variant itself, at the line's own unit price;
//   2. the merchant's personalization-fee variant, at exactly the fee (converted to the cart's
//      presentment currency with Shopify's rate).
// The parent stays one line with the shopper's quantity, so the cart's item count is the
// shopper's and its total is product + fee to the cent. Lines without a fee are left alone.
//
// The attributes are the shopper's to edit (any line property is). The function therefore
// never trusts them for more than presentation: Luneo's orders/create check compares what was
// paid with the server's own price and flags an order whose fee was reduced or removed.
// Pure function: plain input in, operations out (shape: Shopify's FunctionRunResult).

const DESIGN_ID = /^des_[a-z2-7]{24}$/;
const VARIANT_GID = /^gid:\/\/shopify\/ProductVariant\/\d{1,20}$/;
const MAX_FEE_CENTS = 1_000_000; // $10,000: anything above is not a personalization fee

/** Cents (integer) parsed from an attribute, or null when absent or not a sane amount. */
export function feeCents(value) {
  if (typeof value !== 'string' || !/^\d{1,7}$/.test(value)) return null;
  const cents = Number(value);
  return cents > 0 && cents <= MAX_FEE_CENTS ? cents : null;
}

/** A variant gid from a numeric id or a gid, or null. */
export function variantGid(value) {
  if (typeof value !== 'string') return null;
  const gid = /^\d{1,20}$/.test(value) ? `gid://shopify/ProductVariant/${value}` : value;
  return VARIANT_GID.test(gid) ? gid : null;
}

/** Decimal string with two places (Shopify's Decimal scalar) from cents. */
export function decimal(cents) {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Shop-currency cents converted to presentment cents (rounded half up, Shopify's rule). */
export function presentmentCents(cents, rate) {
  const r = Number(rate);
  return Number.isFinite(r) && r > 0 ? Math.round(cents * r) : cents;
}

function unitCents(line) {
  const amount = line && line.cost && line.cost.amountPerQuantity && line.cost.amountPerQuantity.amount;
  const n = Number(amount);
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 100) : null;
}

/** The operations for one cart (Shopify's `cart.transform.run` target). */
export function cartTransformRun(input) {
  const operations = [];
  const lines = (input && input.cart && input.cart.lines) || [];
  for (const line of lines) {
    const design = line.design && line.design.value;
    const merchandise = line.merchandise || {};
    if (!design || !DESIGN_ID.test(design) || merchandise.__typename !== 'ProductVariant') continue;
    const fee = feeCents(line.fee && line.fee.value);
    const feeVariant = variantGid(line.feeVariant && line.feeVariant.value);
    const unit = unitCents(line);
    if (fee === null || feeVariant === null || unit === null || feeVariant === merchandise.id) continue;
    const title = merchandise.product && merchandise.product.title;
    operations.push({
      lineExpand: {
        cartLineId: line.id,
        title: title ? `${title} (personalized)` : null,
        expandedCartItems: [
          {
            merchandiseId: merchandise.id,
            quantity: 1,
            price: { adjustment: { fixedPricePerUnit: { amount: decimal(unit) } } },
            attributes: [{ key: '_luneo_design_id', value: design }],
          },
          {
            merchandiseId: feeVariant,
            quantity: 1,
            price: {
              adjustment: {
                fixedPricePerUnit: { amount: decimal(presentmentCents(fee, input.presentmentCurrencyRate)) },
              },
            },
            attributes: [
              { key: '_luneo_design_id', value: design },
              { key: '_luneo_fee_for', value: merchandise.id },
            ],
          },
        ],
      },
    });
  }
  return { operations };
}
