"""Publishing: the site MkDocs builds from docs/, and the pages written into its page shell."""
