// Entry point Shopify's build (javy) compiles: export name matches shopify.extension.toml.
export { cartTransformRun as default, cartTransformRun } from './cart_transform_run.js';
