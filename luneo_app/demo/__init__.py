"""The embedded default's demo shop, demo product and demo storefront page."""
