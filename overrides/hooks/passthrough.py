"""MkDocs hook: the generated pages' large HTML blocks pass through the build unparsed
(generator/publishing/passthrough.py says why and how)."""

from generator.publishing.passthrough import on_page_content, on_page_markdown  # noqa: F401
