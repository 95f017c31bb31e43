"""The commands on top of the pipeline, one module each; cli.py is the click layer over them."""
