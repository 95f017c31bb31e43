"""Stage 4, rendering: the page families (families/), charts, data files and documents, made from the site context
(derivation/site.py), which they only read."""
