"""Products of API brands: create, update, read (Shopify shops sync theirs from Shopify)."""
