"""Checks that a piece of HTML cannot run script: parsed, not string-matched."""

from __future__ import annotations

from html.parser import HTMLParser

URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset",
             "background", "lowsrc", "dynsrc", "style"}
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "img", "style", "link",
                  "meta", "base", "form", "input", "button", "frame", "frameset", "applet",
                  "audio", "video", "source", "template", "xml", "xss", "body", "html"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name in URL_ATTRS and value is not None:
                squashed = "".join(ch for ch in value if ch > " ").lower()
                if not squashed.startswith(("http://", "https://", "mailto:", "#", "/")) \
                        and ":" in squashed.split("/")[0]:
                    self.problems.append(f"{tag}[{name}={value!r}]")
                if name == "style":
                    self.problems.append(f"{tag}[style]")
            if tag == "a" and name == "href":
                rel = dict(attrs).get("rel") or ""
                if "noopener" not in rel or "noreferrer" not in rel:
                    self.problems.append("a without rel=noopener noreferrer")


def script_problems(html: str) -> list[str]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.problems
