import pytest

from rag.errors import InputError
from rag.load import discover, load_file, parse


def test_txt_title_is_first_line():
    d = parse("Titel der Meldung\n\nText hier.".encode(), "a.txt")
    assert d.title == "Titel der Meldung" and d.text.endswith("Text hier.")


def test_markdown_title_from_heading():
    assert parse(b"intro\n# Big News\nbody", "n.md").title == "Big News"


def test_html_drops_script_and_uses_title():
    raw = b"<html><head><title>T &amp; U</title><script>alert(1)</script></head><body><p>Eins.<p>Zwei</body>"
    d = parse(raw, "p.html")
    assert d.title == "T & U"
    assert "alert" not in d.text and "Eins." in d.text and "Zwei" in d.text


@pytest.mark.parametrize("raw,name,msg", [
    (b"", "e.txt", "holds no text"),
    (b"   \n\n ", "w.txt", "holds no text"),
    (bytes(range(0x80, 0x100)) * 8, "r.txt", "not readable as text in any known encoding"),
    (b"\x00\x01\x02binary", "b.txt", "binary"),
    (b"text", "x.xlsx", "unsupported type"),
])
def test_bad_files_get_clear_messages(raw, name, msg):
    with pytest.raises(InputError, match=msg):
        parse(raw, name)


def test_discover_skips_hidden_and_unsupported(tmp_path):
    (tmp_path / "a.txt").write_text("A.")
    (tmp_path / ".hidden.txt").write_text("H.")
    (tmp_path / "b.xlsx").write_text("P.")
    assert [p.name for p in discover(tmp_path)] == ["a.txt"]
    with pytest.raises(InputError):
        discover(tmp_path / "missing")


def test_unreadable_file(tmp_path):
    p = tmp_path / "dir.txt"
    p.mkdir()
    with pytest.raises(InputError, match="cannot be read"):
        load_file(p, tmp_path)
