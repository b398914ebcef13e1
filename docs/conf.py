"""Sphinx configuration of the ffnn documentation: `bash tools/build_docs.sh` builds it.

The pages are Markdown (MyST); the API reference is generated from the
docstrings of the installed package, so build it with ffnn installed.
Everything works offline: no intersphinx, no remote images.
"""
import ffnn

project = "ffnn"
author = "ffnn developers"
copyright = "ffnn developers, MIT License"
version = release = ffnn.__version__

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# Anchors for the pages' own headings, so `[text](#a-heading)` links resolve.
myst_heading_anchors = 3

# The docstrings are prose with ``literals``; the sklearn wrapper's follow
# numpydoc. References to types are not checked (no intersphinx offline).
nitpicky = False
napoleon_google_docstring = False
napoleon_numpy_docstring = True
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
# Each automodule block of api.md lists its members itself.
autodoc_default_options = {"show-inheritance": False}
# Types in numpydoc fields name the class by its short name.
napoleon_type_aliases = {"NeuralNetwork": "ffnn.network.NeuralNetwork"}


def skip_routing_methods(app, what, name, obj, skip, options):
    """Leave out the set_*_request methods scikit-learn adds to every estimator class.

    They belong to scikit-learn's metadata routing, documented there, and
    their docstrings refer to scikit-learn's own glossary.
    """
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", skip_routing_methods)

html_theme = "alabaster"
html_title = f"ffnn {release}"
