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

    public static function reset(): void
    {
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

require __DIR__ . '/../src/Plugin.php';
