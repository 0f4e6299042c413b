"""Shopper photo uploads: validated, cleaned and graded for print quality."""
