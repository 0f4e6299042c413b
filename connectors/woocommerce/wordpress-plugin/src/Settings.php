<?php

declare(strict_types=1);

namespace Luneo\Personalize;

/**
 * The plugin's settings screen (WooCommerce > Luneo), built on the WordPress Settings API.
 *
 * Three options: the brand id, the Luneo host (https only) and an API key with the
 * embed:write scope. WordPress's options.php checks the form's nonce (settings_fields) and
 * the capability (manage_woocommerce, through option_page_capability_*) before any sanitize
 * callback runs; each callback keeps the
 * stored value when the input is wrong and says why (add_settings_error). The API key is never
 * printed back into the page: an empty field keeps the saved key.
 */
final class Settings
{
    public const GROUP = 'luneo_personalize';
    public const PAGE = 'luneo-personalize';
    public const CAPABILITY = 'manage_woocommerce';
    public const BRAND_ID = '/^brd_[a-z2-7]{24}$/';
    public const API_KEY = '/^lk_[0-9a-f]{10}_[A-Za-z0-9_-]{20,200}$/';
    public const DEFAULT_HOST = 'https://app.luneo.io';

    public static function boot(): void
    {
        add_action('admin_menu', [self::class, 'addPage']);
        add_action('admin_init', [self::class, 'register']);
        add_filter('option_page_capability_' . self::GROUP, [self::class, 'capability']);
    }

    /** Shop managers may save the settings, not only administrators (options.php asks). */
    public static function capability(): string
    {
        return self::CAPABILITY;
    }

    public static function addPage(): void
    {
        add_submenu_page(
            'woocommerce',
            __('Luneo Personalize', 'luneo-personalize'),
            __('Luneo', 'luneo-personalize'),
            self::CAPABILITY,
            self::PAGE,
            [self::class, 'renderPage']
        );
    }

    public static function register(): void
    {
        register_setting(self::GROUP, 'luneo_brand_id', [
            'type' => 'string',
            'default' => '',
            'sanitize_callback' => [self::class, 'sanitizeBrand'],
        ]);
        register_setting(self::GROUP, 'luneo_host', [
            'type' => 'string',
            'default' => self::DEFAULT_HOST,
            'sanitize_callback' => [self::class, 'sanitizeHost'],
        ]);
        register_setting(self::GROUP, 'luneo_api_key', [
            'type' => 'string',
            'default' => '',
            'sanitize_callback' => [self::class, 'sanitizeApiKey'],
        ]);
        add_settings_section(
            'luneo_connection',
            __('Connection to Luneo', 'luneo-personalize'),
            [self::class, 'renderSection'],
            self::PAGE
        );
        $fields = [
            'luneo_brand_id' => [__('Brand id', 'luneo-personalize'), 'renderBrandField'],
            'luneo_host' => [__('Luneo address', 'luneo-personalize'), 'renderHostField'],
            'luneo_api_key' => [__('API key', 'luneo-personalize'), 'renderApiKeyField'],
        ];
        foreach ($fields as $name => [$label, $render]) {
            add_settings_field($name, $label, [self::class, $render], self::PAGE, 'luneo_connection', [
                'label_for' => $name,
            ]);
        }
    }

    /** @param mixed $value */
    public static function sanitizeBrand($value): string
    {
        $brand = sanitize_text_field(is_string($value) ? $value : '');
        if ($brand === '' || preg_match(self::BRAND_ID, $brand)) {
            return $brand;
        }
        add_settings_error(
            'luneo_brand_id',
            'luneo_brand_id_invalid',
            __(
                'The brand id looks like brd_ followed by 24 letters and digits; it was not changed.',
                'luneo-personalize'
            )
        );
        return (string) get_option('luneo_brand_id', '');
    }

    /** @param mixed $value */
    public static function sanitizeHost($value): string
    {
        $host = rtrim(esc_url_raw(trim(is_string($value) ? $value : ''), ['https']), '/');
        $parts = $host === '' ? false : wp_parse_url($host);
        if (is_array($parts) && !empty($parts['host']) && empty($parts['user']) && empty($parts['query'])) {
            return $host;
        }
        add_settings_error(
            'luneo_host',
            'luneo_host_invalid',
            __('The Luneo address must be an https:// address; it was not changed.', 'luneo-personalize')
        );
        return (string) get_option('luneo_host', self::DEFAULT_HOST);
    }

    /** @param mixed $value */
    public static function sanitizeApiKey($value): string
    {
        $saved = (string) get_option('luneo_api_key', '');
        $key = trim(is_string($value) ? $value : '');
        if ($key === '') {
            return $saved; // the field is never filled in: empty keeps the saved key
        }
        if (preg_match(self::API_KEY, $key)) {
            return $key;
        }
        add_settings_error(
            'luneo_api_key',
            'luneo_api_key_invalid',
            __('That is not a Luneo API key (lk_...); the saved key was kept.', 'luneo-personalize')
        );
        return $saved;
    }

    public static function renderSection(): void
    {
        echo '<p>' . esc_html__(
            'In the Luneo console: the brand id is on the Embed page, where you also add this '
            . 'site\'s address; make an API key with the embed:write scope under API keys.',
            'luneo-personalize'
        ) . '</p>';
    }

    public static function renderBrandField(): void
    {
        echo '<input type="text" class="regular-text" id="luneo_brand_id" name="luneo_brand_id" value="'
            . esc_attr((string) get_option('luneo_brand_id', '')) . '" placeholder="brd_..." autocomplete="off">';
    }

    public static function renderHostField(): void
    {
        echo '<input type="url" class="regular-text" id="luneo_host" name="luneo_host" value="'
            . esc_attr((string) get_option('luneo_host', self::DEFAULT_HOST)) . '" required>';
    }

    public static function renderApiKeyField(): void
    {
        $saved = (string) get_option('luneo_api_key', '') !== '';
        $hint = $saved
            ? __('Saved. Leave empty to keep it.', 'luneo-personalize')
            : __('lk_... (never shown to shoppers)', 'luneo-personalize');
        echo '<input type="password" class="regular-text" id="luneo_api_key" name="luneo_api_key" value="" '
            . 'autocomplete="new-password" placeholder="' . esc_attr($hint) . '">';
    }

    public static function renderPage(): void
    {
        if (!current_user_can(self::CAPABILITY)) {
            wp_die(esc_html__('You are not allowed to change Luneo\'s settings.', 'luneo-personalize'));
        }
        echo '<div class="wrap"><h1>' . esc_html__('Luneo Personalize', 'luneo-personalize') . '</h1>';
        settings_errors();
        echo '<form action="options.php" method="post">';
        settings_fields(self::GROUP); // option_page, action and the nonce options.php checks
        do_settings_sections(self::PAGE);
        submit_button();
        echo '</form></div>';
    }
}
