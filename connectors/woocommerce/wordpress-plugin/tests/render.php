<?php

/**
 * Print what the plugin outputs on a page, as JSON, for the browser tests
 * (tests/test_wordpress_plugin_browser.py): `php tests/render.php product <options JSON>` (the
 * Personalize button after add-to-cart, with the scripts WordPress would print) or
 * `php tests/render.php settings <options JSON>` (the settings screen).
 */

declare(strict_types=1);

require __DIR__ . '/bootstrap.php';

use Luneo\Personalize\Plugin;
use Luneo\Personalize\Settings;

WpStub::reset();
WpStub::$options = json_decode($argv[2] ?? '{}', true) ?: [];
WpStub::$caps = ['manage_woocommerce'];
ob_start();
if (($argv[1] ?? '') === 'settings') {
    Settings::boot();
    foreach (['admin_menu', 'admin_init'] as $hook) {
        foreach (WpStub::$hooks[$hook] as [$callback]) {
            $callback();
        }
    }
    Settings::renderPage();
} else {
    Plugin::boot(dirname(__DIR__) . '/luneo-personalize.php');
    $GLOBALS['product'] = new FakeProduct((int) ($argv[3] ?? 42));
    Plugin::renderButton();
}
$html = (string) ob_get_clean();
echo json_encode(['html' => $html, 'scripts' => WpStub::$scripts]);
