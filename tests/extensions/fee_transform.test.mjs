// Unit tests of the Cart Transform function's logic (node --test). Inputs are shaped like the
// function's input query (extensions/luneo-fee-transform/src/cart_transform_run.graphql) and
// outputs are checked against Shopify's documented FunctionRunResult (`lineExpand`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { cartTransformRun, decimal, feeCents, presentmentCents } from '../../extensions/luneo-fee-transform/src/cart_transform_run.js';

const DESIGN = 'des_abcdefghijklmnopqrstuvwx';
const MUG = 'gid://shopify/ProductVariant/4400000123';
const FEE = 'gid://shopify/ProductVariant/4900000001';

function line({ id = 'gid://shopify/CartLine/1', quantity = 1, design = DESIGN, fee = '1450', feeVariant = FEE, price = '24.0', currency = 'USD' } = {}) {
  return {
    id,
    quantity,
    design: design === null ? null : { value: design },
    fee: fee === null ? null : { value: fee },
    feeVariant: feeVariant === null ? null : { value: feeVariant },
    cost: { amountPerQuantity: { amount: price, currencyCode: currency } },
    merchandise: { __typename: 'ProductVariant', id: MUG, title: 'Default Title', product: { title: 'Mug' } },
  };
}

/** What the cart shows for one expanded line: quantity x sum of component unit prices. */
function lineTotalCents(op, quantity) {
  let cents = 0;
  for (const item of op.lineExpand.expandedCartItems) {
    cents += Math.round(Number(item.price.adjustment.fixedPricePerUnit.amount) * 100) * item.quantity;
  }
  return cents * quantity;
}

test('a personalized line becomes one line: the product and the fee at the exact price', () => {
  const out = cartTransformRun({ presentmentCurrencyRate: '1.0', cart: { lines: [line({ quantity: 2 })] } });
  assert.equal(out.operations.length, 1);
  const op = out.operations[0];
  assert.deepEqual(Object.keys(op), ['lineExpand']);
  assert.equal(op.lineExpand.cartLineId, 'gid://shopify/CartLine/1');
  const [product, fee] = op.lineExpand.expandedCartItems;
  assert.equal(product.merchandiseId, MUG);
  assert.equal(product.price.adjustment.fixedPricePerUnit.amount, '24.00');
  assert.equal(fee.merchandiseId, FEE);
  assert.equal(fee.quantity, 1);
  assert.equal(fee.price.adjustment.fixedPricePerUnit.amount, '14.50'); // not 15.00, not 1,450 units
  assert.deepEqual(fee.attributes, [
    { key: '_luneo_design_id', value: DESIGN },
    { key: '_luneo_fee_for', value: MUG },
  ]);
  assert.equal(lineTotalCents(op, 2), 2 * (2400 + 1450));
});

test('the fee is converted to the presentment currency with Shopify rate', () => {
  const out = cartTransformRun({ presentmentCurrencyRate: '0.9213', cart: { lines: [line({ price: '22.11', currency: 'EUR' })] } });
  const fee = out.operations[0].lineExpand.expandedCartItems[1];
  assert.equal(fee.price.adjustment.fixedPricePerUnit.amount, '13.36'); // 1450 x 0.9213 = 1335.9
});

test('lines without a design, a fee or a valid fee variant are left alone', () => {
  const lines = [
    line({ id: 'a', design: null }),
    line({ id: 'b', fee: null }),
    line({ id: 'c', fee: '0' }),
    line({ id: 'd', fee: '-5' }),
    line({ id: 'e', fee: '14.50' }),
    line({ id: 'f', feeVariant: 'not-a-variant' }),
    line({ id: 'g', feeVariant: MUG }), // the product as its own fee: refused
    line({ id: 'h', design: 'des_NOT-VALID' }),
  ];
  assert.deepEqual(cartTransformRun({ cart: { lines } }), { operations: [] });
  assert.deepEqual(cartTransformRun({}), { operations: [] });
});

test('a numeric fee variant id is accepted as the storefront sends it', () => {
  const out = cartTransformRun({ cart: { lines: [line({ feeVariant: '4900000001' })] } });
  assert.equal(out.operations[0].lineExpand.expandedCartItems[1].merchandiseId, FEE);
});

test('helpers: cents, decimals and rounding', () => {
  assert.equal(feeCents('1450'), 1450);
  assert.equal(feeCents('99999999'), null);
  assert.equal(decimal(5), '0.05');
  assert.equal(decimal(123456), '1234.56');
  assert.equal(presentmentCents(1450, 'x'), 1450);
});

test('the input query asks for every field the function reads', () => {
  const query = readFileSync(new URL('../../extensions/luneo-fee-transform/src/cart_transform_run.graphql', import.meta.url), 'utf8');
  for (const field of ['presentmentCurrencyRate', '_luneo_design_id', '_luneo_fee_cents', '_luneo_fee_variant', 'amountPerQuantity', '... on ProductVariant']) {
    assert.ok(query.includes(field), field);
  }
  const toml = readFileSync(new URL('../../extensions/luneo-fee-transform/shopify.extension.toml', import.meta.url), 'utf8');
  assert.match(toml, /target = "cart.transform.run"/);
  assert.match(toml, /handle = "luneo-fee-transform"/);
});

// 20 random option combinations: cases written by tests/storefront/test_fee_totals.py (the
// widget's totals), one JSON object per case, are checked here when given.
if (process.env.LUNEO_FEE_CASES) {
  test('cart totals equal the widget totals for every given case', () => {
    const cases = JSON.parse(readFileSync(process.env.LUNEO_FEE_CASES, 'utf8'));
    assert.ok(cases.length >= 1);
    for (const c of cases) {
      const input = { presentmentCurrencyRate: '1.0', cart: { lines: [line({ quantity: c.quantity, fee: String(c.addOnCents), price: decimal(c.productCents) })] } };
      const out = cartTransformRun(input);
      const total = c.addOnCents > 0 ? lineTotalCents(out.operations[0], c.quantity) : c.productCents * c.quantity;
      assert.equal(total, c.widgetTotalCents, JSON.stringify(c));
    }
  });
}
