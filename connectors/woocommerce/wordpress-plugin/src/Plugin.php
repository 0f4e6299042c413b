<?php

declare(strict_types=1);

namespace Luneo\Personalize;

/**
 * The Personalize button, the cart item's design and the order line meta.
 *
 * Settings (WooCommerce > Luneo, see Settings): the brand id, the Luneo host and an API key with
 * the embed:write scope. The key never reaches the browser: the widget gets its short-lived
 * embed token from this site's REST route, which asks Luneo (POST /v1/embed/tokens) for the
 * store's own origin.
 */
final class Plugin
{
    public const DESIGN_META = '_luneo_design_id';
    public const PREVIEW_META = '_luneo_preview';
    public const SUMMARY_META = 'Personalization';
    public const DESIGN_ID = '/^des_[a-z2-7]{24}$/';

    private static string $file = '';

    public static function boot(string $file): void
    {
        self::$file = $file;
        add_action('woocommerce_after_add_to_cart_button', [self::class, 'renderButton']);
        add_action('rest_api_init', [self::class, 'registerRoutes']);
        add_filter('woocommerce_add_cart_item_data', [self::class, 'addCartItemData'], 10, 2);
        add_filter('woocommerce_get_item_data', [self::class, 'showItemData'], 10, 2);
        add_filter('woocommerce_cart_item_thumbnail', [self::class, 'cartThumbnail'], 10, 2);
        add_action('woocommerce_checkout_create_order_line_item', [self::class, 'addLineMeta'], 10, 3);
        add_filter('woocommerce_order_item_thumbnail', [self::class, 'orderThumbnail'], 10, 2);
    }

    /** Declare HPOS (custom order tables) compatibility. */
    public static function declareCompatibility(): void
    {
        if (class_exists('\Automattic\WooCommerce\Utilities\FeaturesUtil')) {
            \Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility(
                'custom_order_tables',
                self::$file,
                true
            );
        }
    }

    /** The Luneo host without a trailing slash (https only). */
    public static function host(): string
    {
        $host = rtrim((string) get_option('luneo_host', 'https://app.luneo.io'), '/');
        return str_starts_with($host, 'https://') ? $host : 'https://app.luneo.io';
    }

    /** The Personalize button and the hidden fields the widget fills before add-to-cart. */
    public static function renderButton(): void
    {
        global $product;
        $brand = (string) get_option('luneo_brand_id', '');
        if ($brand === '' || !is_object($product)) {
            return;
        }
        $host = self::host();
        wp_enqueue_script('luneo-sdk', $host . '/widget/sdk.js', [], null, true);
        wp_enqueue_script(
            'luneo-woocommerce',
            plugins_url('assets/luneo-woocommerce.js', self::$file),
            ['luneo-sdk'],
            '1.0.0',
            true
        );
        $config = [
            'brand' => $brand,
            'productId' => (string) $product->get_id(),
            'host' => $host,
            'tokenUrl' => rest_url('luneo/v1/embed-token'),
        ];
        wp_add_inline_script(
            'luneo-sdk',
            'window.LuneoWooCommerce=' . wp_json_encode($config) . ';',
            'before'
        );
        echo '<button type="button" class="button luneo-personalize" data-luneo="'
            . esc_attr((string) wp_json_encode($config)) . '">'
            . esc_html__('Personalize', 'luneo-personalize') . '</button>';
        foreach (['luneo_design_id', 'luneo_summary', 'luneo_preview'] as $name) {
            echo '<input type="hidden" name="' . esc_attr($name) . '" value="">';
        }
    }

    public static function registerRoutes(): void
    {
        register_rest_route('luneo/v1', '/embed-token', [
            'methods' => 'POST',
            'callback' => [self::class, 'embedToken'],
            'permission_callback' => '__return_true',
        ]);
    }

    /**
     * Mint an embed token for this store's origin from Luneo with the store's API key.
     *
     * @return array<string, mixed>|\WP_Error
     */
    public static function embedToken()
    {
        $key = (string) get_option('luneo_api_key', '');
        if ($key === '') {
            return new \WP_Error('luneo_not_configured', 'Luneo is not configured.', ['status' => 503]);
        }
        $parts = wp_parse_url(home_url());
        $origin = $parts['scheme'] . '://' . $parts['host'] . (isset($parts['port']) ? ':' . $parts['port'] : '');
        $response = wp_remote_post(self::host() . '/v1/embed/tokens', [
            'timeout' => 10,
            'headers' => ['Authorization' => 'Bearer ' . $key, 'Content-Type' => 'application/json'],
            'body' => wp_json_encode(['origin' => $origin]),
        ]);
        $status = (int) wp_remote_retrieve_response_code($response);
        $body = json_decode((string) wp_remote_retrieve_body($response), true);
        if ($status !== 201 && $status !== 200 || !is_array($body)) {
            return new \WP_Error('luneo_unavailable', 'Luneo did not issue a token.', ['status' => 502]);
        }
        return $body;
    }

    /**
     * Keep the design the widget put in the form on the cart item (validated, never trusted
     * beyond its shape: Luneo checks the design belongs to the brand when the order arrives).
     *
     * @param array<string, mixed> $data
     * @return array<string, mixed>
     */
    public static function addCartItemData(array $data, int $productId): array
    {
        $design = isset($_POST['luneo_design_id']) ? sanitize_text_field(wp_unslash($_POST['luneo_design_id'])) : '';
        if (!preg_match(self::DESIGN_ID, $design)) {
            return $data;
        }
        $summary = isset($_POST['luneo_summary']) ? sanitize_text_field(wp_unslash($_POST['luneo_summary'])) : '';
        $preview = isset($_POST['luneo_preview']) ? esc_url_raw(wp_unslash($_POST['luneo_preview']), ['https']) : '';
        $data['luneo'] = [
            'design_id' => $design,
            'summary' => mb_substr($summary, 0, 200),
            'preview' => str_starts_with($preview, self::host() . '/') ? $preview : '',
        ];
        // Two personalized items of one product never merge into one cart line.
        $data['luneo_key'] = md5($design);
        return $data;
    }

    /**
     * @param array<int, array<string, string>> $items
     * @param array<string, mixed> $cartItem
     * @return array<int, array<string, string>>
     */
    public static function showItemData(array $items, array $cartItem): array
    {
        if (!empty($cartItem['luneo']['summary'])) {
            $items[] = [
                'key' => __('Personalization', 'luneo-personalize'),
                'value' => esc_html($cartItem['luneo']['summary']),
            ];
        }
        return $items;
    }

    /** @param array<string, mixed> $cartItem */
    public static function cartThumbnail(string $thumbnail, array $cartItem): string
    {
        $preview = $cartItem['luneo']['preview'] ?? '';
        if ($preview === '') {
            return $thumbnail;
        }
        return '<img src="' . esc_url($preview) . '" alt="' . esc_attr__('Your design', 'luneo-personalize')
            . '" width="96" height="96" loading="lazy">';
    }

    /**
     * Carry the design into the order line through WC_Order_Item CRUD (HPOS-safe).
     *
     * @param \WC_Order_Item_Product $item
     * @param array<string, mixed> $values
     */
    public static function addLineMeta($item, string $cartItemKey, array $values): void
    {
        if (empty($values['luneo']['design_id'])) {
            return;
        }
        $item->add_meta_data(self::DESIGN_META, $values['luneo']['design_id'], true);
        if (!empty($values['luneo']['preview'])) {
            $item->add_meta_data(self::PREVIEW_META, $values['luneo']['preview'], true);
        }
        if (!empty($values['luneo']['summary'])) {
            $item->add_meta_data(self::SUMMARY_META, $values['luneo']['summary'], true);
        }
    }

    /** @param \WC_Order_Item_Product $item */
    public static function orderThumbnail(string $thumbnail, $item): string
    {
        $preview = (string) $item->get_meta(self::PREVIEW_META, true);
        return $preview === '' ? $thumbnail : self::cartThumbnail($thumbnail, ['luneo' => ['preview' => $preview]]);
    }
}
