<?php

/**
 * Stubs of the WordPress and WooCommerce functions the plugin calls (WordPress and
 * WooCommerce cannot be downloaded here). They record what the plugin asked for.
 */

declare(strict_types=1);

define('ABSPATH', __DIR__ . '/');

final class WpStub
{
    /** @var array<string, list<array{0: callable, 1: int, 2: int}>> */
    public static array $hooks = [];
    /** @var array<string, mixed> */
    public static array $options = [];
    /** @var list<array<string, mixed>> */
    public static array $scripts = [];
    /** @var list<array{0: string, 1: array<string, mixed>}> */
    public static array $requests = [];
    /** @var array{response: array{code: int}, body: string} */
    public static array $answer = ['response' => ['code' => 201], 'body' => '{"token":"t","expiresIn":600}'];
    /** @var list<array<string, mixed>> */
    public static array $routes = [];
    /** @var array<string, array<string, mixed>> option name => register_setting args */
    public static array $settings = [];
    /** @var array<string, list<array<string, mixed>>> page => sections with their fields */
    public static array $sections = [];
    /** @var list<array<string, mixed>> */
    public static array $pages = [];
    /** @var list<array{setting: string, code: string, message: string}> */
    public static array $errors = [];
    /** @var list<string> capabilities the current user has */
    public static array $caps = [];

    public static function reset(): void
    {
        self::$settings = [];
        self::$sections = [];
        self::$pages = [];
        self::$errors = [];
        self::$caps = [];
        self::$hooks = [];
        self::$options = [];
        self::$scripts = [];
        self::$requests = [];
        self::$routes = [];
        self::$answer = ['response' => ['code' => 201], 'body' => '{"token":"t","expiresIn":600}'];
        $_POST = [];
    }
}

function add_action(string $hook, callable $callback, int $priority = 10, int $args = 1): void
{
    WpStub::$hooks[$hook][] = [$callback, $priority, $args];
}

function add_filter(string $hook, callable $callback, int $priority = 10, int $args = 1): void
{
    WpStub::$hooks[$hook][] = [$callback, $priority, $args];
}

function get_option(string $name, mixed $default = false): mixed
{
    return WpStub::$options[$name] ?? $default;
}

function esc_attr(string $text): string
{
    return htmlspecialchars($text, ENT_QUOTES, 'UTF-8');
}

function esc_html(string $text): string
{
    return htmlspecialchars($text, ENT_QUOTES, 'UTF-8');
}

function esc_url(string $url): string
{
    return htmlspecialchars($url, ENT_QUOTES, 'UTF-8');
}

/** @param list<string> $protocols */
function esc_url_raw(string $url, array $protocols = []): string
{
    $scheme = parse_url($url, PHP_URL_SCHEME);
    return ($protocols === [] || in_array($scheme, $protocols, true)) ? $url : '';
}

function esc_html__(string $text, string $domain): string
{
    return esc_html($text);
}

function esc_attr__(string $text, string $domain): string
{
    return esc_attr($text);
}

function __(string $text, string $domain): string
{
    return $text;
}

function sanitize_text_field(string $text): string
{
    return trim(preg_replace('/[\r\n\t ]+/', ' ', strip_tags($text)) ?? '');
}

function wp_unslash(string $value): string
{
    return stripslashes($value);
}

function wp_json_encode(mixed $value): string|false
{
    return json_encode($value);
}

/** @param list<string> $deps */
function wp_enqueue_script(string $handle, string $src, array $deps = [], mixed $ver = false, bool $footer = false): void
{
    WpStub::$scripts[] = ['handle' => $handle, 'src' => $src];
}

function wp_add_inline_script(string $handle, string $data, string $position = 'after'): void
{
    WpStub::$scripts[] = ['handle' => $handle, 'inline' => $data, 'position' => $position];
}

function plugins_url(string $path, string $file): string
{
    return 'https://shop.example.com/wp-content/plugins/luneo/' . $path;
}

function rest_url(string $path): string
{
    return 'https://shop.example.com/wp-json/' . $path;
}

function home_url(): string
{
    return 'https://shop.example.com/';
}

/** @return array<string, mixed>|false */
function wp_parse_url(string $url): array|false
{
    return parse_url($url);
}

/** @param array<string, mixed> $args */
function register_rest_route(string $namespace, string $route, array $args): void
{
    WpStub::$routes[] = ['namespace' => $namespace, 'route' => $route] + $args;
}

/**
 * @param array<string, mixed> $args
 * @return array<string, mixed>
 */
function wp_remote_post(string $url, array $args): array
{
    WpStub::$requests[] = [$url, $args];
    return WpStub::$answer;
}

/** @param array<string, mixed> $response */
function wp_remote_retrieve_response_code(array $response): int
{
    return $response['response']['code'];
}

/** @param array<string, mixed> $response */
function wp_remote_retrieve_body(array $response): string
{
    return $response['body'];
}

class WP_Error
{
    /** @param array<string, mixed> $data */
    public function __construct(public string $code, public string $message, public array $data = [])
    {
    }
}

/** WooCommerce's order line item: meta through CRUD, as the plugin must use it. */
class WC_Order_Item_Product
{
    /** @var array<string, mixed> */
    public array $meta = [];

    public function add_meta_data(string $key, mixed $value, bool $unique = false): void
    {
        if ($unique && array_key_exists($key, $this->meta)) {
            return;
        }
        $this->meta[$key] = $value;
    }

    public function get_meta(string $key, bool $single = true): mixed
    {
        return $this->meta[$key] ?? '';
    }
}

class FakeProduct
{
    public function __construct(private int $id)
    {
    }

    public function get_id(): int
    {
        return $this->id;
    }
}

// --- the Settings API, as much of it as the settings screen uses -----------------------------

final class WpDie extends RuntimeException
{
}

function wp_die(string $message): void
{
    throw new WpDie($message);
}

function current_user_can(string $capability): bool
{
    return in_array($capability, WpStub::$caps, true);
}

function update_option(string $name, mixed $value): bool
{
    WpStub::$options[$name] = $value;
    return true;
}

/** WordPress's nonces: an HMAC of the action for the session (here one fixed session). */
function wp_create_nonce(string $action): string
{
    return substr(hash_hmac('sha256', $action, 'session-of-the-signed-in-user'), 0, 10);
}

function wp_verify_nonce(string $nonce, string $action): bool
{
    return hash_equals(wp_create_nonce($action), $nonce);
}

/** @param array<string, mixed> $args */
function register_setting(string $group, string $name, array $args = []): void
{
    WpStub::$settings[$name] = ['group' => $group] + $args;
}

function add_settings_section(string $id, string $title, callable $callback, string $page): void
{
    WpStub::$sections[$page][$id] = ['title' => $title, 'callback' => $callback, 'fields' => []];
}

/** @param array<string, mixed> $args */
function add_settings_field(
    string $id,
    string $title,
    callable $callback,
    string $page,
    string $section,
    array $args = []
): void {
    WpStub::$sections[$page][$section]['fields'][$id] = ['title' => $title, 'callback' => $callback, 'args' => $args];
}

function add_settings_error(string $setting, string $code, string $message, string $type = 'error'): void
{
    WpStub::$errors[] = ['setting' => $setting, 'code' => $code, 'message' => $message];
}

function settings_errors(): void
{
    foreach (WpStub::$errors as $error) {
        echo '<div class="notice notice-error settings-error"><p>' . esc_html($error['message']) . '</p></div>';
    }
}

function settings_fields(string $group): void
{
    echo "<input type='hidden' name='option_page' value='" . esc_attr($group) . "' />";
    echo '<input type="hidden" name="action" value="update" />';
    echo '<input type="hidden" id="_wpnonce" name="_wpnonce" value="' . wp_create_nonce($group . '-options') . '" />';
}

function do_settings_sections(string $page): void
{
    foreach (WpStub::$sections[$page] ?? [] as $section) {
        echo '<h2>' . esc_html($section['title']) . '</h2>';
        call_user_func($section['callback']);
        echo '<table class="form-table" role="presentation">';
        foreach ($section['fields'] as $field) {
            $for = esc_attr((string) ($field['args']['label_for'] ?? ''));
            echo '<tr><th scope="row"><label for="' . $for . '">' . esc_html($field['title']) . '</label></th><td>';
            call_user_func($field['callback'], $field['args']);
            echo '</td></tr>';
        }
        echo '</table>';
    }
}

function submit_button(): void
{
    echo '<p class="submit"><input type="submit" name="submit" id="submit" class="button button-primary" '
        . 'value="Save Changes"></p>';
}

/** @param list<mixed> $args */
function add_submenu_page(string $parent, string $title, string $menu, string $cap, string $slug, callable $cb): void
{
    WpStub::$pages[] = compact('parent', 'title', 'menu', 'cap', 'slug', 'cb');
}

/**
 * What wp-admin/options.php does with the settings form: check the nonce and the group's
 * capability (filtered by option_page_capability_{group}), then sanitize and save each of the
 * group's registered options.
 *
 * @param array<string, string> $post
 */
function wp_options_php(array $post): void
{
    $group = $post['option_page'] ?? '';
    if (!wp_verify_nonce($post['_wpnonce'] ?? '', $group . '-options')) {
        wp_die('The link you followed has expired.');
    }
    $capability = 'manage_options';
    foreach (WpStub::$hooks['option_page_capability_' . $group] ?? [] as [$filter]) {
        $capability = $filter($capability);
    }
    if (!current_user_can($capability)) {
        wp_die('Sorry, you are not allowed to manage options for this site.');
    }
    foreach (WpStub::$settings as $name => $setting) {
        if ($setting['group'] !== $group) {
            continue;
        }
        $value = $post[$name] ?? null;
        update_option($name, call_user_func($setting['sanitize_callback'], $value));
    }
}

require __DIR__ . '/../src/Plugin.php';
require __DIR__ . '/../src/Settings.php';
