"""Fakes of outside services: small local HTTP servers speaking the real wire formats."""
