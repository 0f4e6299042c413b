"""Luneo staff: accounts of the support team and how they sign in to staff endpoints."""
