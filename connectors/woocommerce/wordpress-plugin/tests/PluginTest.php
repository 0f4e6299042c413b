<?php

declare(strict_types=1);

namespace Automattic\WooCommerce\Utilities {
    final class FeaturesUtil
    {
        /** @var list<array{0: string, 1: string, 2: bool}> */
        public static array $declared = [];

        public static function declare_compatibility(string $feature, string $file, bool $ok): void
        {
            self::$declared[] = [$feature, $file, $ok];
        }
    }
}

namespace Luneo\Personalize\Tests {

    use Automattic\WooCommerce\Utilities\FeaturesUtil;
    use Luneo\Personalize\Plugin;
    use PHPUnit\Framework\TestCase;
    use WpStub;

    final class PluginTest extends TestCase
    {
        private const DESIGN = 'des_abcdefghijklmnopqrstuvwx';

        protected function setUp(): void
        {
            \WpStub::reset();
            WpStub::$options = [
                'luneo_brand_id' => 'brd_acme',
                'luneo_host' => 'https://app.luneo.io',
                'luneo_api_key' => 'lk_secret',
            ];
            Plugin::boot('/plugins/luneo/luneo-personalize.php');
        }

        public function testItHooksIntoProductPagesCartAndCheckout(): void
        {
            foreach ([
                'woocommerce_after_add_to_cart_button',
                'woocommerce_add_cart_item_data',
                'woocommerce_get_item_data',
                'woocommerce_cart_item_thumbnail',
                'woocommerce_checkout_create_order_line_item',
                'woocommerce_order_item_thumbnail',
                'rest_api_init',
            ] as $hook) {
                $this->assertArrayHasKey($hook, WpStub::$hooks, $hook);
            }
            $this->assertSame(3, WpStub::$hooks['woocommerce_checkout_create_order_line_item'][0][2]);
        }

        public function testItDeclaresHposCompatibility(): void
        {
            Plugin::declareCompatibility();
            $this->assertSame(
                [['custom_order_tables', '/plugins/luneo/luneo-personalize.php', true]],
                FeaturesUtil::$declared
            );
        }

        public function testTheButtonLoadsTheSdkWithTheStoresTokenRouteAndEscapes(): void
        {
            $GLOBALS['product'] = new \FakeProduct(42);
            WpStub::$options['luneo_brand_id'] = 'brd_"><script>';
            ob_start();
            Plugin::renderButton();
            $html = (string) ob_get_clean();
            $this->assertSame('https://app.luneo.io/widget/sdk.js', WpStub::$scripts[0]['src']);
            $this->assertStringEndsWith('assets/luneo-woocommerce.js', WpStub::$scripts[1]['src']);
            $this->assertStringContainsString('wp-json\/luneo\/v1\/embed-token', WpStub::$scripts[2]['inline']);
            $this->assertStringNotContainsString('<script>', $html);
            $this->assertStringNotContainsString('lk_secret', $html . WpStub::$scripts[2]['inline']);
            $this->assertStringContainsString('name="luneo_design_id"', $html);
        }

        public function testAnHttpHostIsNeverUsed(): void
        {
            WpStub::$options['luneo_host'] = 'http://evil.test';
            $this->assertSame('https://app.luneo.io', Plugin::host());
        }

        public function testTheTokenRouteAsksLuneoForTheStoresOriginWithTheKey(): void
        {
            $answer = Plugin::embedToken();
            [$url, $args] = WpStub::$requests[0];
            $this->assertSame('https://app.luneo.io/v1/embed/tokens', $url);
            $this->assertSame('Bearer lk_secret', $args['headers']['Authorization']);
            $this->assertSame(['origin' => 'https://shop.example.com'], json_decode($args['body'], true));
            $this->assertSame('t', $answer['token']);
            WpStub::$answer = ['response' => ['code' => 401], 'body' => '{}'];
            $this->assertInstanceOf(\WP_Error::class, Plugin::embedToken());
        }

        public function testACartItemKeepsAValidDesignAndRefusesAnythingElse(): void
        {
            $_POST = [
                'luneo_design_id' => self::DESIGN,
                'luneo_summary' => "Name: <b>Ann</b>\n",
                'luneo_preview' => 'https://app.luneo.io/files/brands/b/p.webp',
            ];
            $data = Plugin::addCartItemData([], 42);
            $this->assertSame(self::DESIGN, $data['luneo']['design_id']);
            $this->assertSame('Name: Ann', $data['luneo']['summary']);
            $this->assertSame('https://app.luneo.io/files/brands/b/p.webp', $data['luneo']['preview']);

            $_POST = ['luneo_design_id' => 'des_../../x', 'luneo_preview' => 'javascript:alert(1)'];
            $this->assertSame([], Plugin::addCartItemData([], 42));
            $_POST = ['luneo_design_id' => self::DESIGN, 'luneo_preview' => 'https://evil.test/p.png'];
            $this->assertSame('', Plugin::addCartItemData([], 42)['luneo']['preview']);
        }

        public function testTheCartShowsTheSummaryAndThePreview(): void
        {
            $item = ['luneo' => ['design_id' => self::DESIGN, 'summary' => 'Ann', 'preview' => 'https://app.luneo.io/p.webp']];
            $this->assertSame([['key' => 'Personalization', 'value' => 'Ann']], Plugin::showItemData([], $item));
            $this->assertStringContainsString('src="https://app.luneo.io/p.webp"', Plugin::cartThumbnail('<img>', $item));
            $this->assertSame('<img>', Plugin::cartThumbnail('<img>', []));
        }

        public function testTheDesignIsCarriedIntoTheOrderLineThroughCrud(): void
        {
            $item = new \WC_Order_Item_Product();
            $values = ['luneo' => ['design_id' => self::DESIGN, 'summary' => 'Ann', 'preview' => 'https://app.luneo.io/p.webp']];
            Plugin::addLineMeta($item, 'key', $values);
            Plugin::addLineMeta($item, 'key', ['luneo' => ['design_id' => 'des_other']]);
            $this->assertSame(
                ['_luneo_design_id' => self::DESIGN, '_luneo_preview' => 'https://app.luneo.io/p.webp', 'Personalization' => 'Ann'],
                $item->meta
            );
            $this->assertStringContainsString('p.webp', Plugin::orderThumbnail('<img>', $item));
            $plain = new \WC_Order_Item_Product();
            Plugin::addLineMeta($plain, 'key', []);
            $this->assertSame([], $plain->meta);
        }
    }
}
