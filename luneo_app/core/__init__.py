"""Cross-cutting services shared by every feature: ids, time, crypto, key-value store."""
