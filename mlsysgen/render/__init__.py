"""Render stage: the ONE token → HTML fragment renderer, used by every writer."""
