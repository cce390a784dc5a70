"""The render fetches nothing from the network or the file system, and has limits."""

from __future__ import annotations

import http.server
import threading

import pytest

from portfolios.records import render
from tests.conftest import login
from tests.records import factories as rf
from tests.records.test_record_pdf import download, pdf_text


@pytest.fixture()
def counter_server():
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()


def corpus(port: int) -> str:
    base = f"http://127.0.0.1:{port}"
    return "\n\n".join([
        f'<img src="{base}/img.png">',
        f"![x]({base}/md-image.png)",
        f'<link rel="stylesheet" href="{base}/style.css">',
        f"<style>@import url({base}/import.css); body {{ background: url({base}/bg.png) }}"
        "</style>",
        f'<div style="background-image: url({base}/inline.png)">styled</div>',
        '<img src="file:///etc/passwd"> file:///etc/passwd',
        f'<iframe src="{base}/frame"></iframe><object data="{base}/obj"></object>',
        f'<svg><image href="{base}/svg.png"/></svg>',
        f"[a link]({base}/link) and <{base}/autolink>",
        "@import url(file:///etc/shadow); url(/etc/hosts)",
        "x" * 2000,
    ])


def test_hostile_reflection_makes_no_request_and_reads_no_file(client, org, db_session,
                                                               counter_server):
    port, hits = counter_server
    rf.draft_with_reflection(org.learner, corpus(port))
    db_session.commit()
    login(client, org.learner)
    resp = download(client, org.learner, *rf.PERIOD)
    assert resp.status_code == 200
    text = pdf_text(resp.data)
    assert hits == []
    assert "root:x:0:0" not in text
    assert "file:///etc/passwd" in text  # shown as text, never fetched


def test_fetcher_refuses_everything_but_bundled_assets_and_handed_in_images(counter_server):
    port, hits = counter_server
    fetcher = render.LockedFetcher({"e1": render.Image(b"png", "image/png")})
    assert fetcher.fetch("asset:fonts/DejaVuSans.ttf").read(4) == b"\x00\x01\x00\x00"
    assert fetcher.fetch("evidence:e1").read() == b"png"
    for url in (f"http://127.0.0.1:{port}/x", f"https://127.0.0.1:{port}/x",
                "file:///etc/passwd", "asset:../../../etc/passwd", "asset:fonts/../app.py",
                "evidence:e2", "data:text/plain,hi", "ftp://127.0.0.1/x", "relative.png"):
        with pytest.raises(render.FetchRefused):
            fetcher.fetch(url)
    html = (f'<html lang="en"><head><title>t</title><link rel="stylesheet" '
            f'href="http://127.0.0.1:{port}/a.css"><style>@import url(http://127.0.0.1:{port}/'
            f'b.css); p {{ background: url(http://127.0.0.1:{port}/c.png) }}</style></head>'
            f'<body><p>hi</p><img alt="" src="http://127.0.0.1:{port}/d.png">'
            f'<img alt="" src="file:///etc/passwd"></body></html>')
    render.render_pdf(html, limits=render.Limits(isolate=False))
    assert hits == []


def test_a_render_over_its_time_limit_fails_cleanly():
    html = "<html lang='en'><head><title>t</title></head><body>" + "<p>x</p>" * 20000 + \
        "</body></html>"
    with pytest.raises(render.RenderFailed, match=r"longer than 0\.2 seconds"):
        render.render_pdf(html, limits=render.Limits(seconds=0.2))


def test_a_render_over_its_memory_limit_fails_cleanly():
    html = "<html lang='en'><head><title>t</title></head><body>" + "<p>x</p>" * 5000 + \
        "</body></html>"
    with pytest.raises(render.RenderFailed, match=r"more than 8 MB|could not be rendered"):
        render.render_pdf(html, limits=render.Limits(seconds=60, memory_mb=8))
