"""Designs: validate, cache, queue and render a shopper's personalization."""
