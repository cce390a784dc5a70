"""Programmes, checkpoints and enrolments for portfolio tests (rows made directly)."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from checkpoints.models import Checkpoint, Enrolment, Programme
from clearance.extensions import db


def programme(title: str = "Leading a ward", **kw: Any) -> Programme:
    fields = {"summary": "A programme.", "theme": "Leadership", "audience": "everyone",
              "kind": "elective", "open_in_catalogue": True, "status": "published", **kw}
    prog = Programme(title=title, **fields)
    db.session.add(prog)
    db.session.flush()
    return prog


def checkpoint(prog: Programme, title: str = "Reflect on a handover", *, position: int = 1,
               **kw: Any) -> Checkpoint:
    kw.setdefault("min_evidence", 1)
    kw.setdefault("allowed_evidence", "file,reflection,link")
    kw.setdefault("kind", "summative")
    kw.setdefault("due_offset_days", 30)
    cp = Checkpoint(programme_id=prog.id, position=position, title=title,
                    guidance="Describe what you did.", **kw)
    db.session.add(cp)
    db.session.flush()
    return cp


def enrol(person: Any, prog: Programme, source: str = "self", status: str = "active"
          ) -> Enrolment:
    row = Enrolment(person_id=person.id, programme_id=prog.id, source=source, status=status)
    db.session.add(row)
    db.session.flush()
    return row


def enrolled_checkpoint(person: Any, **kw: Any) -> Checkpoint:
    prog = programme()
    cp = checkpoint(prog, **kw)
    enrol(person, prog)
    return cp


# ---------------------------------------------------------------- sample files


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pdf_bytes(text: str = "Evidence") -> bytes:
    from portfolios.samples import pdf

    return pdf(text)


def upload(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name
