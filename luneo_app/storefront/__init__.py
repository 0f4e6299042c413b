"""Demo storefront: a theme-like product page with the Luneo block and a fake Ajax cart."""
