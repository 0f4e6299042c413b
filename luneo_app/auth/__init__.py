"""Who is calling: API keys of a brand (and, later, storefront embed tokens)."""
