"""Citations: BibTeX → CSL items → formatted citations and bibliographies."""
