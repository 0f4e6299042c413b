<?php

declare(strict_types=1);

namespace Luneo\Personalize\Tests;

use Luneo\Personalize\Settings;
use PHPUnit\Framework\TestCase;
use WpDie;
use WpStub;

final class SettingsTest extends TestCase
{
    private const BRAND = 'brd_eqp6txbihqac5euya5bpatvb';
    private const KEY = 'lk_0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ';

    protected function setUp(): void
    {
        WpStub::reset();
        WpStub::$caps = ['manage_woocommerce'];
        Settings::boot();
        foreach (['admin_menu', 'admin_init'] as $hook) {
            foreach (WpStub::$hooks[$hook] as [$callback]) {
                $callback();
            }
        }
    }

    /** @return array<string, string> the form as the browser would post it back */
    private function form(string $html): array
    {
        preg_match_all('/<input[^>]*name="?\'?([a-z_]+)["\'][^>]*value=["\']([^"\']*)["\']/', $html, $found);
        return array_combine($found[1], $found[2]);
    }

    private function page(): string
    {
        ob_start();
        try {
            Settings::renderPage();
        } finally {
            $html = (string) ob_get_clean();
        }
        return $html;
    }

    public function testTheScreenIsUnderWooCommerceForShopManagers(): void
    {
        $this->assertSame('woocommerce', WpStub::$pages[0]['parent']);
        $this->assertSame('manage_woocommerce', WpStub::$pages[0]['cap']);
        $this->assertSame(
            ['luneo_brand_id', 'luneo_host', 'luneo_api_key'],
            array_keys(WpStub::$settings)
        );
    }

    public function testAValidFormIsSavedThroughOptionsPhpWithItsNonce(): void
    {
        $form = $this->form($this->page());
        $this->assertSame('luneo_personalize', $form['option_page']);
        $this->assertSame(wp_create_nonce('luneo_personalize-options'), $form['_wpnonce']);

        wp_options_php([
            'luneo_brand_id' => ' ' . self::BRAND . ' ',
            'luneo_host' => 'https://eu.luneo.io/',
            'luneo_api_key' => self::KEY,
        ] + $form);

        $this->assertSame(self::BRAND, WpStub::$options['luneo_brand_id']);
        $this->assertSame('https://eu.luneo.io', WpStub::$options['luneo_host']);
        $this->assertSame(self::KEY, WpStub::$options['luneo_api_key']);
        $this->assertSame([], WpStub::$errors);
    }

    public function testAFormWithoutTheNonceOrByAUserWithoutTheRightChangesNothing(): void
    {
        $form = $this->form($this->page());
        foreach ([['_wpnonce' => 'forged0000'], []] as $tamper) {
            WpStub::$caps = $tamper === [] ? ['read'] : ['manage_woocommerce'];
            try {
                wp_options_php(['luneo_brand_id' => self::BRAND] + $tamper + $form);
                $this->fail('options.php accepted the form');
            } catch (WpDie $refused) {
                $this->assertArrayNotHasKey('luneo_brand_id', WpStub::$options);
            }
        }
    }

    public function testWrongValuesKeepWhatWasSavedAndSayWhy(): void
    {
        WpStub::$options = [
            'luneo_brand_id' => self::BRAND,
            'luneo_host' => 'https://app.luneo.io',
            'luneo_api_key' => self::KEY,
        ];

        wp_options_php([
            'luneo_brand_id' => 'brd_<script>',
            'luneo_host' => 'http://evil.example',
            'luneo_api_key' => 'not-a-key',
        ] + $this->form($this->page()));

        $this->assertSame(self::BRAND, WpStub::$options['luneo_brand_id']);
        $this->assertSame('https://app.luneo.io', WpStub::$options['luneo_host']);
        $this->assertSame(self::KEY, WpStub::$options['luneo_api_key']);
        $this->assertSame(
            ['luneo_brand_id_invalid', 'luneo_host_invalid', 'luneo_api_key_invalid'],
            array_column(WpStub::$errors, 'code')
        );
        $this->assertStringContainsString('must be an https:// address', $this->page());
    }

    public function testAnEmptyKeyFieldKeepsTheSavedKeyWhichIsNeverPrinted(): void
    {
        WpStub::$options = ['luneo_api_key' => self::KEY, 'luneo_brand_id' => self::BRAND];
        $html = $this->page();

        $this->assertStringNotContainsString(self::KEY, $html);
        $this->assertStringContainsString('Saved. Leave empty to keep it.', $html);
        wp_options_php(['luneo_api_key' => '', 'luneo_host' => 'https://app.luneo.io'] + $this->form($html));
        $this->assertSame(self::KEY, WpStub::$options['luneo_api_key']);
    }

    public function testStoredValuesAreEscapedInThePage(): void
    {
        WpStub::$options = ['luneo_brand_id' => '"><script>alert(1)</script>'];

        $html = $this->page();

        $this->assertStringNotContainsString('<script>', $html);
        $this->assertStringContainsString('value="&quot;&gt;&lt;script&gt;', $html);
    }

    public function testThePageRefusesSomeoneWhoMayNotManageTheShop(): void
    {
        WpStub::$caps = ['read'];
        $this->expectException(WpDie::class);
        $this->page();
    }
}
