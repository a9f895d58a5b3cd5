"""MkDocs hooks of the rqe site (``hooks:`` in ``mkdocs.yml``).

* ``api/cli-reference.md`` is generated from the ``rqe`` argument parsers (``cli_reference.py``);
* ``api/json.md`` gets the JSON Schema of ``--json`` output from :mod:`rqe.cli_json` in place of the marker
  ``<!-- json-schema -->``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the rqe of this checkout, also for imports made after this module is loaded
    sys.path.insert(0, str(ROOT))

import cli_reference  # noqa: E402  (beside this file; MkDocs puts this folder on sys.path while loading it)
from rqe.cli import build_parser  # noqa: E402


def on_files(files, config):
    files.append(File.generated(config, "api/cli-reference.md", content=cli_reference.markdown(build_parser())))
    return files


def on_page_markdown(markdown, page, config, files):
    if "<!-- json-schema -->" in markdown:
        from rqe.cli_json import SCHEMA

        block = "```json\n" + json.dumps(SCHEMA, indent=2) + "\n```"
        markdown = markdown.replace("<!-- json-schema -->", block)
    return markdown


def on_post_page(output, page, config):
    # mkdocs-jupyter's notebook template loads MathJax itself (custom_mathjax_url) and extra_javascript loads
    # it again for every page: keep one copy, the one configured by javascripts/mathjax.js.
    if page.file.src_uri.endswith(".ipynb"):
        url = config.plugins["mkdocs-jupyter"].config["custom_mathjax_url"]
        output = re.sub(r"<!-- Load mathjax -->\s*<script src=\"" + re.escape(url) + r"\">\s*</script>", "",
                        output, count=1)
    return output
