"""Tests of the Shopify feature: install, tokens, session tokens, webhooks, privacy."""
