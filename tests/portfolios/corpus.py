"""Files for the upload corpus: valid examples of each allowed type and hostile ones."""

from __future__ import annotations

import io
import struct
import zipfile

from portfolios import samples


def ooxml(main: str, content_type: str = "main+xml", extra: dict[str, bytes] | None = None
          ) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml",
                         f'<?xml version="1.0"?><Types><Override PartName="/{main}" '
                         f'ContentType="application/x.{content_type}"/></Types>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main, "<root/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4() -> bytes:
    return (box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2avc1mp41")
            + box(b"moov", box(b"mvhd", b"\x00" * 100)) + box(b"mdat", b"\x00" * 64))


def heic() -> bytes:
    return (box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic")
            + box(b"meta", b"\x00" * 40) + box(b"mdat", b"\x01" * 32))


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.class", b"\xca\xfe\xba\xbe")
    return out.getvalue()


VALID = {
    "notes.pdf": samples.pdf("Handover notes"),
    "plan.docx": samples.docx("Plan"),
    "rota.xlsx": ooxml("xl/workbook.xml"),
    "teaching.pptx": ooxml("ppt/presentation.xml"),
    "essay.odt": samples.odt("Essay"),
    "board.png": samples.png(),
    "photo.jpg": jpeg(),
    "photo.JPEG": jpeg(),
    "iphone.heic": heic(),
    "demo.mp4": mp4(),
    "log.txt": "Café handover: 3 patients, all stable \u2013 naïve résumé ✓\n".encode(),
}

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
       b"<script>alert(2)</script></svg>")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200

#: (file name, bytes, a word the refusal message must contain)
REFUSED = [
    ("empty.pdf", b"", "empty"),
    ("setup.exe", EXE, "not accepted"),
    ("invoice.pdf", EXE, "program"),
    ("photo.png", ELF, "program"),
    ("page.html", HTML, "not accepted"),
    ("page.txt", HTML, "web page"),
    ("drawing.svg", SVG, "not accepted"),
    ("drawing.png", SVG, "SVG"),
    ("drawing.txt", SVG, "SVG"),
    ("board.jpg", samples.png(), "PNG image"),
    ("notes.docx", samples.pdf(), "PDF document"),
    ("html-in-png.png", samples.png() + HTML, "after its end"),
    ("gifar.jpg", jpeg() + zip_archive(), "JPEG"),
    ("pdf-zip.pdf", samples.pdf() + zip_archive(), "end"),
    ("html-first.pdf", HTML + samples.pdf(), "not a valid PDF"),
    ("prefixed.docx", b"#!/bin/sh\n" + samples.docx(), "program"),
    ("junk-first.docx", b"JUNK" + samples.docx(), "not a valid Word"),
    ("macro.docx", ooxml("word/document.xml", "macroEnabled.main+xml",
                         {"word/vbaProject.bin": b"\x00" * 10}), "macros"),
    ("not-really.odt", samples.docx(), "not a valid OpenDocument"),
    ("script.pdf", samples.pdf().replace(b"/Producer (Clearance)",
                                         b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
     "scripts"),
    ("latin1.txt", "café".encode("latin-1"), "UTF-8"),
    ("nul.txt", b"hello\x00world", "binary"),
    ("cut.mp4", mp4()[:-10], "outside its structure"),
    ("tail.mp4", mp4() + b"<html><script>x</script>", "outside its structure"),
    ("noext", samples.pdf(), "without an extension"),
]
