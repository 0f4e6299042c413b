"""Storefront: embed tokens and handshake, the widget, the demo storefront, the extension."""
