<?php

/**
 * Plugin Name: Luneo Personalize
 * Description: Adds Luneo's Personalize button to WooCommerce product pages and carries the
 *   shopper's design into the cart and the order (line item meta _luneo_design_id).
 * Version: 1.0.0
 * Requires at least: 6.4
 * Requires PHP: 8.1
 * WC requires at least: 8.2
 * Text Domain: luneo-personalize
 * License: GPL-2.0-or-later
 */

declare(strict_types=1);

if (!defined('ABSPATH')) {
    exit;
}

require_once __DIR__ . '/src/Plugin.php';
require_once __DIR__ . '/src/Settings.php';

// Order data goes through WC_Order / WC_Order_Item CRUD only: safe with HPOS.
add_action('before_woocommerce_init', [\Luneo\Personalize\Plugin::class, 'declareCompatibility']);
\Luneo\Personalize\Plugin::boot(__FILE__);
\Luneo\Personalize\Settings::boot();
