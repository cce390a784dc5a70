"""The upload corpus: each allowed type passes; hostile files are refused with a clear message."""

from __future__ import annotations

import io

import pytest

from portfolios.filecheck import FileRefused, check_file, sanitise_name
from tests.portfolios.corpus import REFUSED, VALID


@pytest.mark.parametrize("name", sorted(VALID))
def test_allowed_types_pass(name):
    data = VALID[name]
    ftype = check_file(io.BytesIO(data), name, len(data))
    assert name.lower().endswith(ftype.extensions)


@pytest.mark.parametrize(("name", "data", "word"), REFUSED, ids=[r[0] for r in REFUSED])
def test_hostile_files_are_refused(name, data, word):
    with pytest.raises(FileRefused) as exc:
        check_file(io.BytesIO(data), name, len(data))
    assert word.lower() in str(exc.value).lower(), str(exc.value)


@pytest.mark.parametrize(("raw", "expected"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\win.ini", "win.ini"),
    ("C:\\Users\\sam\\My notes.pdf", "My notes.pdf"),
    ("evil.pdf\x00.exe", "evil.pdf.exe"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),
    ("\u2066report\u2069.pdf", "report.pdf"),
    ("tab\there\r\n.pdf", "tab here .pdf"),
    ("   ...hidden.pdf", "hidden.pdf"),
    ("Ärztliche Übergabe \u2013 Station 7.pdf", "Ärztliche Übergabe \u2013 Station 7.pdf"),
    ("", ""),
])
def test_names_are_sanitised(raw, expected):
    assert sanitise_name(raw) == expected


def test_long_names_keep_their_extension():
    name = sanitise_name("a" * 300 + ".pdf")
    assert len(name) <= 120
    assert name.endswith(".pdf")


def test_rtl_override_cannot_disguise_an_executable():
    name = sanitise_name("photo\u202egnp.exe")
    with pytest.raises(FileRefused, match="not accepted"):
        check_file(io.BytesIO(VALID["board.png"]), name, len(VALID["board.png"]))
