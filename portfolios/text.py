"""Reflection Markdown to safe HTML, link checking, and the text diff between versions.

Reflections: markdown-it (CommonMark, raw HTML off, images off) renders, then nh3 keeps only a
small tag and attribute allow-list, http/https/mailto links with ``rel="noopener noreferrer"``,
and no images at all (nothing on the page loads from another host). Headings move down to h3-h6
so a reflection never competes with the page's own outline.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

REL = "noopener noreferrer"
_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
         "h3", "h4", "h5", "h6"}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_HEADINGS = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6", "h6": "h6"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.disable(["image", "html_block", "html_inline"])

MAX_REFLECTION_CHARS = 20_000
MAX_URL_CHARS = 2000


def render_reflection(source: str | None) -> Markup:
    """Markdown -> sanitised HTML, safe to put on a page."""
    tokens = _md.parse(source or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = _HEADINGS.get(token.tag, token.tag)
    html = _md.renderer.render(tokens, _md.options, {})
    clean = nh3.clean(
        html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
        link_rel=REL, strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - nh3 output over an allow-list


class LinkRefused(ValueError):
    """The address is not accepted; the message is fit to show the learner."""


_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def check_link(raw: str) -> str:
    """Return a normalised http(s) address or raise :class:`LinkRefused`. Never fetched."""
    url = (raw or "").strip()
    if not url:
        raise LinkRefused("Enter the web address, starting with https://")
    if len(url) > MAX_URL_CHARS:
        raise LinkRefused(f"The address is longer than {MAX_URL_CHARS} characters.")
    if _CONTROL.search(url):
        raise LinkRefused("The address contains spaces or hidden characters. Copy it again "
                          "from the browser's address bar.")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise LinkRefused("Only web addresses starting with https:// or http:// are accepted.")
    try:
        host = parts.hostname
    except ValueError as exc:
        raise LinkRefused("That is not a valid web address.") from exc
    if not host or "\\" in url:
        raise LinkRefused("That is not a valid web address.")
    if parts.username or parts.password:
        raise LinkRefused("Addresses with a user name or password in them are not accepted.")
    return url


# ---------------------------------------------------------------- diff


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same", "added", "removed"
    text: str


def text_diff(old: str, new: str) -> list[DiffLine]:
    """Line diff of two reflections (the template escapes every line)."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            lines += [DiffLine("same", t) for t in a[i1:i2]]
            continue
        if tag in ("replace", "delete"):
            lines += [DiffLine("removed", t) for t in a[i1:i2]]
        if tag in ("replace", "insert"):
            lines += [DiffLine("added", t) for t in b[j1:j2]]
    return lines
