"""Our markdown-it rules for the Pandoc/Quarto dialect, one syntax per module."""
