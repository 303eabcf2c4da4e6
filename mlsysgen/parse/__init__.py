"""Parse stage: chapter Markdown → markdown-it token stream (the one tree)."""
