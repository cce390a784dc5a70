"""What an evidence file is: name sanitising and the type allow-list, checked by content.

A file is accepted only when its extension names an allowed type AND its bytes are that type,
structurally: the container starts at byte 0 and ends where the format says it ends (nothing
glued before or after, which is how polyglots are built), Office/OpenDocument zips hold the
members their format requires and no macros, and text is valid UTF-8 that no browser would take
for HTML. The checks read the stream; they never execute or render anything.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

MAX_NAME_CHARS = 120


class FileRefused(ValueError):
    """The file is not accepted; the message is fit to show the person who sent it."""


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    extensions: tuple[str, ...]
    content_type: str


TYPES: dict[str, FileType] = {t.key: t for t in (
    FileType("pdf", "PDF document", (".pdf",), "application/pdf"),
    FileType("docx", "Word document", (".docx",),
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    FileType("xlsx", "Excel workbook", (".xlsx",),
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    FileType("pptx", "PowerPoint presentation", (".pptx",),
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    FileType("odt", "OpenDocument text", (".odt",), "application/vnd.oasis.opendocument.text"),
    FileType("png", "PNG image", (".png",), "image/png"),
    FileType("jpg", "JPEG photo", (".jpg", ".jpeg"), "image/jpeg"),
    FileType("heic", "HEIC photo", (".heic", ".heif"), "image/heic"),
    FileType("mp4", "MP4 video", (".mp4", ".m4v"), "video/mp4"),
    FileType("txt", "plain text", (".txt",), "text/plain; charset=utf-8"),
)}
BY_EXTENSION = {ext: t for t in TYPES.values() for ext in t.extensions}
ACCEPT = ",".join(sorted(BY_EXTENSION))
ALLOWED_SUMMARY = "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), OpenDocument text " \
                  "(.odt), PNG, JPEG, HEIC photos, MP4 video or plain text (.txt)"

# ---------------------------------------------------------------- names

_BIDI = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)),
         *map(chr, range(0x2066, 0x206A))}


def sanitise_name(raw: str | None) -> str:
    """A display-safe file name: no path parts, control/format characters or bidi overrides,
    NFC-normalised, at most ``MAX_NAME_CHARS`` characters with the extension kept."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r"[\t\r\n\v\f]", " ", name)
    name = "".join(
        ch for ch in name
        if ch not in _BIDI and unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_NAME_CHARS - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_NAME_CHARS].rstrip()
    return name


def extension_of(name: str) -> str:
    _stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and _stem else ""


# ---------------------------------------------------------------- content


def _read_at(stream: BinaryIO, offset: int, size: int) -> bytes:
    stream.seek(offset)
    return stream.read(size)


_ACTIVE_MARKERS = (b"<script", b"<html", b"<svg", b"<!doctype", b"<iframe", b"<body",
                   b"<object", b"<embed", b"<?xml-stylesheet", b"javascript:")
_WINDOW = 4096
_EOCD = b"PK\x05\x06"


def _refuse_active_content(head: bytes, tail: bytes, what: str) -> None:
    for chunk in (head.lower(), tail.lower()):
        if any(marker in chunk for marker in _ACTIVE_MARKERS):
            raise FileRefused(f"This {what} also contains web page or script code, so it is "
                              "not accepted. Export or save it again and upload the new copy.")


def _refuse_trailing_zip(stream: BinaryIO, size: int, what: str) -> None:
    """A zip archive glued to the end of another file (a classic polyglot)."""
    start = max(0, size - 65_557)
    tail = _read_at(stream, start, size - start)
    pos = tail.rfind(_EOCD)
    while pos != -1:
        if pos + 22 <= len(tail):
            (comment_len,) = struct.unpack("<H", tail[pos + 20:pos + 22])
            if start + pos + 22 + comment_len == size:
                raise FileRefused(f"This {what} has an archive hidden inside it, so it is not "
                                  "accepted. Save it again from the program that made it.")
        pos = tail.rfind(_EOCD, 0, pos)


def _check_pdf(stream: BinaryIO, size: int) -> None:
    if _read_at(stream, 0, 5) != b"%PDF-":
        raise _mismatch("pdf")
    tail = _read_at(stream, max(0, size - 1024), 1024)
    end = tail.rfind(b"%%EOF")
    if end == -1 or tail[end + 5:].strip(b"\r\n\t \x00"):
        raise FileRefused("This PDF does not end where a PDF should: it may be damaged or have "
                          "something else attached. Save or print it to PDF again.")
    body = _read_at(stream, 0, size)
    if re.search(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b", body):
        raise FileRefused("This PDF contains scripts, attachments or embedded media, which are "
                          "not accepted. Print it to a new PDF and upload that.")


_OOXML_MAIN = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml",
               "pptx": "ppt/presentation.xml"}
_ODT_MIME = b"application/vnd.oasis.opendocument.text"


def _check_zip(stream: BinaryIO, size: int, key: str) -> None:
    if _read_at(stream, 0, 4) != b"PK\x03\x04":
        raise _mismatch(key)
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if not infos or infos[0].header_offset != 0 or len(infos) > 5000:
                raise _mismatch(key)
            if sum(i.file_size for i in infos) > 1024 * 1024 * 1024:
                raise FileRefused("This document expands to more than 1 GB, so it is not "
                                  "accepted.")
            names = {i.filename for i in infos}
            if any(n.lower().endswith(("vbaproject.bin", ".bin")) and "vba" in n.lower()
                   for n in names):
                raise FileRefused("This document contains macros, which are not accepted. "
                                  "Save it as a macro-free document and upload that.")
            if key == "odt":
                first = infos[0]
                if (first.filename != "mimetype" or first.compress_type != zipfile.ZIP_STORED
                        or archive.read(first).strip() != _ODT_MIME):
                    raise _mismatch(key)
                if "content.xml" not in names:
                    raise _mismatch(key)
            else:
                if "[Content_Types].xml" not in names or _OOXML_MAIN[key] not in names:
                    raise _mismatch(key)
                types = archive.read("[Content_Types].xml")
                if b"macroEnabled" in types:
                    raise FileRefused("This document contains macros, which are not accepted. "
                                      "Save it as a macro-free document and upload that.")
    except zipfile.BadZipFile as exc:
        raise _mismatch(key) from exc
    # The archive must end exactly at its end-of-central-directory record.
    tail = _read_at(stream, max(0, size - 65_557), 65_557)
    pos = tail.rfind(_EOCD)
    if pos == -1 or pos + 22 > len(tail):
        raise _mismatch(key)
    (comment_len,) = struct.unpack("<H", tail[pos + 20:pos + 22])
    if pos + 22 + comment_len != len(tail):
        raise FileRefused("This document has extra data after its end, so it is not accepted. "
                          "Save it again from the program that made it.")


def _check_png(stream: BinaryIO, size: int) -> None:
    if _read_at(stream, 0, 8) != b"\x89PNG\r\n\x1a\n":
        raise _mismatch("png")
    offset, seen_end = 8, False
    while offset + 8 <= size:
        length, ctype = struct.unpack(">I4s", _read_at(stream, offset, 8))
        offset += 12 + length
        if ctype == b"IEND":
            seen_end = True
            break
    if not seen_end or offset != size:
        raise FileRefused("This PNG image has something attached after its end (or is cut "
                          "short), so it is not accepted. Save or export the image again.")


def _check_jpg(stream: BinaryIO, size: int) -> None:
    if _read_at(stream, 0, 3) != b"\xff\xd8\xff":
        raise _mismatch("jpg")
    tail = _read_at(stream, max(0, size - 2), 2)
    if tail != b"\xff\xd9":
        raise FileRefused("This JPEG photo has something attached after its end (or is cut "
                          "short), so it is not accepted. Save or export the photo again.")


_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42",
               b"avc1", b"M4V ", b"dash", b"mmp4", b"MSNV"}


def _check_isobmff(stream: BinaryIO, size: int, key: str) -> None:
    head = _read_at(stream, 0, 64)
    if len(head) < 16 or head[4:8] != b"ftyp":
        raise _mismatch(key)
    (ftyp_len,) = struct.unpack(">I", head[:4])
    brands = {head[8:12]}
    brands |= {head[i:i + 4] for i in range(16, min(ftyp_len, len(head)) - 3, 4)}
    wanted = _HEIC_BRANDS if key == "heic" else _MP4_BRANDS
    if head[8:12] not in wanted and not (key == "heic" and brands & {b"heic", b"heix"}):
        raise _mismatch(key)
    # Top-level boxes must tile the file exactly: nothing before, between or after them.
    offset, boxes = 0, 0
    while offset < size:
        header = _read_at(stream, offset, 16)
        if len(header) < 8:
            break
        (box_len,) = struct.unpack(">I", header[:4])
        if box_len == 1 and len(header) == 16:
            (box_len,) = struct.unpack(">Q", header[8:16])
        elif box_len == 0:
            box_len = size - offset
        if box_len < 8:
            break
        offset += box_len
        boxes += 1
        if boxes > 100_000:
            break
    if offset != size:
        raise FileRefused(f"This {TYPES[key].label} has data outside its structure (or is cut "
                          "short), so it is not accepted. Export it again and upload the copy.")


_HTML_START = re.compile(
    rb"^\s*(<!doctype|<html|<head|<body|<script|<svg|<\?xml|<iframe|<!--|<style|<title|"
    rb"<img|<a\s|<div|<table|<p>|<br|<b>|<h1|<font)", re.IGNORECASE,
)


def _check_txt(stream: BinaryIO, size: int) -> None:
    data = _read_at(stream, 0, size)
    if b"\x00" in data:
        raise FileRefused("This is not a plain-text file (it contains binary data).")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRefused("This text file is not in UTF-8. Save it as UTF-8 text "
                          "(most editors offer this under Save As) and upload it again.") from exc
    if _HTML_START.match(data.removeprefix(b"\xef\xbb\xbf")[:1024]):
        raise FileRefused("This file is a web page or SVG drawing saved as .txt, which is not "
                          "accepted. Save it as PDF instead.")


_SNIFF = [
    (b"%PDF-", "pdf"), (b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpg"), (b"PK\x03\x04", "zip"),
    (b"MZ", "a Windows program"), (b"\x7fELF", "a program"), (b"#!", "a script"),
    (b"\xca\xfe\xba\xbe", "a program"), (b"\xcf\xfa\xed\xfe", "a program"),
    (b"GIF8", "a GIF image"), (b"<svg", "an SVG drawing"), (b"<?xml", "an XML or SVG file"),
]


def _mismatch(key: str) -> FileRefused:
    return FileRefused(f"The file's content is not a valid {TYPES[key].label}, although its "
                       "name says it is. Check you chose the right file, or save it again "
                       f"as a {TYPES[key].label}.")


def _describe(stream: BinaryIO) -> str | None:
    head = _read_at(stream, 0, 64)
    for magic, what in _SNIFF:
        if head.lstrip().lower().startswith(magic.lower()):
            return what
    if head[4:8] == b"ftyp":
        return "heic" if head[8:12] in _HEIC_BRANDS else "mp4"
    return None


def check_file(stream: BinaryIO, name: str, size: int) -> FileType:
    """Return the file's type, or raise :class:`FileRefused` with a message for the learner."""
    if size == 0:
        raise FileRefused("The file is empty. Choose the file again; if it is still empty, "
                          "open it and save it before uploading.")
    ext = extension_of(name)
    ftype = BY_EXTENSION.get(ext)
    if ftype is None:
        shown = f"\"{ext}\" files are" if ext else "Files without an extension are"
        raise FileRefused(f"{shown} not accepted. Upload a {ALLOWED_SUMMARY}.")
    found = _describe(stream)
    if found in ("a Windows program", "a program", "a script"):
        raise FileRefused(f"This file is {found} renamed to {ext}; programs are never accepted.")
    if found in ("a GIF image", "an SVG drawing", "an XML or SVG file"):
        raise FileRefused(f"This file is {found} although its name ends in {ext}; "
                          f"it is not accepted. Upload a {ALLOWED_SUMMARY}.")
    if found in TYPES and found != ftype.key and not (found == "mp4" and ftype.key == "heic"):
        raise FileRefused(f"This file's content is a {TYPES[found].label} but its name ends "
                          f"in {ext}. Rename it to end in {TYPES[found].extensions[0]} and "
                          "upload it again.")
    key = ftype.key
    if key == "pdf":
        _check_pdf(stream, size)
    elif key in ("docx", "xlsx", "pptx", "odt"):
        _check_zip(stream, size, key)
    elif key == "png":
        _check_png(stream, size)
    elif key == "jpg":
        _check_jpg(stream, size)
    elif key in ("heic", "mp4"):
        _check_isobmff(stream, size, key)
    else:
        _check_txt(stream, size)
    if key != "txt":
        head = _read_at(stream, 0, _WINDOW)
        tail = _read_at(stream, max(0, size - _WINDOW), _WINDOW)
        _refuse_active_content(head, tail, ftype.label)
        if key not in ("docx", "xlsx", "pptx", "odt"):
            _refuse_trailing_zip(stream, size, ftype.label)
    stream.seek(0)
    return ftype
