"""Locked-down PDF rendering with WeasyPrint.

* The HTML comes only from the app's own templates (user text escaped or sanitised there).
* :class:`LockedFetcher` is the only way WeasyPrint reads anything: it serves the bundled assets
  under ``asset:`` (fonts, the print stylesheet) and the evidence images the caller already
  permission-checked and loaded, under ``evidence:<token>``. Everything else (http, https,
  ``file://``, data:, redirects, relative paths) is refused; nothing is ever opened by URL.
* The render runs in a child process (forked from a forkserver that has WeasyPrint loaded) with
  an address-space limit and a wall-clock timeout, so a pathological record fails cleanly
  (:class:`RenderFailed`) instead of taking the worker down.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

ROOT = Path(__file__).resolve().parents[2]
ASSET_ROOT = ROOT / "clearance" / "static"
#: the only bundled files a record may load (asset:<name>)
ASSETS: dict[str, str] = {
    "fonts/DejaVuSans.ttf": "font/ttf",
    "fonts/DejaVuSans-Bold.ttf": "font/ttf",
    "fonts/DejaVuSans-Oblique.ttf": "font/ttf",
    "css/record.css": "text/css",
}
PDF_VARIANT = "pdf/ua-1"
log = logging.getLogger(__name__)


class RenderFailed(RuntimeError):
    """The record could not be rendered; the message is fit to show."""


class FetchRefused(ValueError):
    pass


@dataclass
class Image:
    data: bytes
    content_type: str


class LockedFetcher(URLFetcher):
    """Serves ``asset:`` files from the bundle and ``evidence:`` images handed in; refuses
    everything else without opening a connection or a file outside the bundle."""

    def __init__(self, images: Mapping[str, Image] | None = None) -> None:
        super().__init__(allowed_protocols=("asset", "evidence"), allow_redirects=False,
                         fail_on_errors=False)
        self.images = dict(images or {})
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme, _, rest = url.partition(":")
        scheme = scheme.lower()
        if scheme == "asset" and rest in ASSETS:
            path = (ASSET_ROOT / rest).resolve()
            if ASSET_ROOT.resolve() in path.parents:
                return URLFetcherResponse(url, path.read_bytes(),
                                          {"Content-Type": ASSETS[rest]})
        if scheme == "evidence" and rest in self.images:
            image = self.images[rest]
            return URLFetcherResponse(url, image.data, {"Content-Type": image.content_type})
        self.refused.append(url[:200])
        log.info("record render refused to fetch %.200s", url)
        raise FetchRefused(f"refused: {url[:80]}")

    def open(self, url: Any, data: Any = None, timeout: Any = None) -> Any:
        # Never let urllib's opener machinery run (it would follow its own handlers).
        raise FetchRefused("refused")


def render_inline(html: str, images: Mapping[str, Image] | None = None) -> bytes:
    """Render in this process (no limits): used by the child and by the bench's baseline."""
    fetcher = LockedFetcher(images)
    return HTML(string=html, base_url="asset:", url_fetcher=fetcher).write_pdf(
        pdf_variant=PDF_VARIANT, pdf_identifier=False, uncompressed_pdf=False,
    )


@dataclass
class Limits:
    seconds: float = 120.0
    memory_mb: int = 1024
    isolate: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def _current_address_space() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(conn: Any, html: str, images: Mapping[str, Image], memory_mb: int) -> None:
    try:
        limit = _current_address_space() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        pdf = render_inline(html, images)
        conn.send(("ok", pdf))
    except MemoryError:
        conn.send(("error", "memory"))
    except BaseException as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"[:300]))
    finally:
        conn.close()


_CTX: Any = None


def _context() -> Any:
    """A forkserver: children fork from a small single-threaded process that has WeasyPrint
    loaded, never from a threaded worker (forking a threaded process can deadlock the child)."""
    global _CTX
    if _CTX is None:
        _CTX = multiprocessing.get_context("forkserver")
        _CTX.set_forkserver_preload(["portfolios.records.render"])
    return _CTX


def render_pdf(html: str, images: Mapping[str, Image] | None = None,
               limits: Limits | None = None) -> bytes:
    """Render ``html`` to PDF bytes within ``limits``, or raise :class:`RenderFailed`."""
    limits = limits or Limits()
    images = dict(images or {})
    if not limits.isolate:
        try:
            return render_inline(html, images)
        except Exception as exc:
            raise RenderFailed(f"The record could not be rendered ({type(exc).__name__}).") \
                from exc
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, html, images, limits.memory_mb),
                       daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(limits.seconds):
            raise RenderFailed(
                f"The record took longer than {limits.seconds:g} seconds to render and was "
                "stopped. Try a shorter period, or ask L&D to export it in parts.")
        try:
            status, payload = parent.recv()
        except EOFError as exc:
            raise RenderFailed("The record could not be rendered (the renderer stopped). "
                               "Try a shorter period.") from exc
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
    if status == "ok":
        return payload
    if payload == "memory":
        raise RenderFailed(
            f"The record needed more than {limits.memory_mb} MB to render and was stopped. "
            "Try a shorter period, or ask L&D to export it in parts.")
    log.warning("record render failed: %s", payload)
    raise RenderFailed("The record could not be rendered. Try again; if it keeps failing, "
                       "tell L&D the record's period and person.")


def limits_from_config(config: Mapping[str, Any]) -> Limits:
    return Limits(seconds=float(config.get("RECORDS_RENDER_SECONDS", 120)),
                  memory_mb=int(config.get("RECORDS_RENDER_MEMORY_MB", 1024)),
                  isolate=bool(config.get("RECORDS_RENDER_ISOLATED", True)))
