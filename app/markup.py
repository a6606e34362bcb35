"""Markdown to safe HTML: the one renderer every domain uses for text written by people.

Markdown (tables, fenced code, footnotes, a table of contents, admonitions) is rendered first, then
the HTML is sanitised with nh3 against an allow-list: no scripts, no event handler attributes, no
styles, and links and images only to http(s), mailto or relative addresses (no ``javascript:`` or
``data:``). What the preview shows is exactly what the page shows.
"""

from typing import Any

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode
from markupsafe import Markup

EXTENSIONS = ["tables", "fenced_code", "footnotes", "toc", "admonition", "sane_lists"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "toc": {
        "permalink": False,
        "toc_depth": "2-4",
        "slugify": slugify_unicode,
    },  # Chinese headings keep their words
    "footnotes": {"BACKLINK_TEXT": "↩"},
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "del", "div", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "s", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Script-bearing elements are dropped with their content, not just unwrapped.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "textarea"}


def sanitise_html(html: str) -> str:
    """Return ``html`` with everything outside the allow-list removed."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> Markup:
    """Render Markdown written by a person to sanitised HTML, safe to put in any page."""
    renderer = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    return Markup(sanitise_html(renderer.convert(text or "")))
