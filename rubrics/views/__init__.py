"""Rubric pages, by task: the library and history (library.py), the draft builder
(builder.py), preview and the comment bank (preview.py), import and export (transfer.py)."""
