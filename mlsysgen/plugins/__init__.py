"""Optional features, each loaded only when a book lists it under ``plugins:``."""
