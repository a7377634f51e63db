"""Files other than UTF-8 text: Latin-1 / Windows-1252 pages, PDF (with and without a text layer),
Word .docx, and front matter in .txt/.md. The PDFs are written here byte by byte, so the test
does not depend on a PDF-writing library."""
from __future__ import annotations

import io

import pytest

from rag.errors import InputError
from rag.load import load_file, parse

ARTICLE = ("Weinbau an der Ahr: Frühburgunder vor dem Aus gerettet",
           "Die Winzer im Ahrtal haben die seltene Rebsorte Frühburgunder vor dem Aussterben bewahrt.",
           "Heute wachsen rund 37 Hektar davon auf den steilen Schieferhängen über dem Fluss.")


def _pdf(objects: list[bytes]) -> bytes:
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, len(objects), xref))
    return out.getvalue()


def text_pdf(lines: tuple[str, ...], title: str = "") -> bytes:
    def esc(s: str) -> bytes:
        return s.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    ops = b"BT /F1 11 Tf 50 780 Td 14 TL " + b"".join(b"(" + esc(line) + b") Tj T* " for line in lines) + b"ET"
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(ops) + ops + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Title (" + title.encode("cp1252") + b") >>",
    ])


def scanned_pdf() -> bytes:
    """One page holding only an image, as a scanner writes it: no text layer."""
    pixels = bytes(range(256)) * 16  # 64 x 64 grey
    ops = b"q 500 0 0 700 50 80 cm /Im1 Do Q"
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(ops) + ops + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length %d >>\nstream\n" % len(pixels) + pixels + b"\nendstream",
        b"<< /Producer (scanner) >>",
    ])


def docx_bytes(title: str, paragraphs: tuple[str, ...]) -> bytes:
    from docx import Document
    d = Document()
    d.core_properties.title = title
    d.core_properties.author = "Hanna Weber"
    d.add_heading(paragraphs[0], level=1)
    for p in paragraphs[1:]:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_pdf_text_and_title():
    d = parse(text_pdf(ARTICLE, title="Frühburgunder gerettet"), "ahr.pdf")
    assert d.title == "Frühburgunder gerettet"
    for line in ARTICLE:
        assert line in d.text


def test_scanned_pdf_is_refused_with_a_clear_reason():
    with pytest.raises(InputError, match=r"^scan\.pdf: the PDF has no text layer .*OCR"):
        parse(scanned_pdf(), "scan.pdf")


def test_broken_pdf_is_refused():
    with pytest.raises(InputError, match=r"^kaputt\.pdf: not a readable PDF"):
        parse(b"%PDF-1.7\nnot really", "kaputt.pdf")


def test_docx_text_title_and_author():
    d = parse(docx_bytes("Rebsorte gerettet", ARTICLE), "ahr.docx")
    assert d.title == "Rebsorte gerettet" and d.author == "Hanna Weber"
    assert d.text.split("\n") == list(ARTICLE)


def test_not_a_docx_is_refused():
    with pytest.raises(InputError, match=r"^alt\.docx: not a readable Word \.docx file"):
        parse(b"\xd0\xcf\x11\xe0 an old binary .doc", "alt.docx")


LATIN1_PAGE = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=iso-8859-1'>"
               "<title>Grüße aus Köln</title></head><body><h1>Grüße aus Köln</h1>"
               "<p>Über 11.000 Besucher kamen am Wochenende zur Domplatte, berichtet die Stadt.</p>"
               "<p>Die Straßenbahnen fuhren im Fünf-Minuten-Takt, und die Polizei zählte keine Zwischenfälle."
               "</p></body></html>")


def test_latin1_page_by_its_declaration():
    d = parse(LATIN1_PAGE.encode("latin-1"), "koeln.html")
    assert "Über 11.000 Besucher kamen am Wochenende zur Domplatte" in d.text
    assert "Straßenbahnen fuhren im Fünf-Minuten-Takt" in d.text and d.title == "Grüße aus Köln"


def test_windows1252_text_without_declaration_is_detected():
    text = ("Der Bürgermeister sagte: „Wir schaffen das.“ Die Kosten von 12 € pro Kopf trägt die Gemeinde. "
            "Die Bürgerinnen und Bürger begrüßten die Entscheidung über die Brücke am Fluss. ") * 3
    d = parse(text.encode("cp1252"), "rede.txt")
    assert "„Wir schaffen das.“" in d.text and "12 € pro Kopf" in d.text and "begrüßten" in d.text


def test_front_matter_is_metadata_not_text():
    raw = ("---\ntitle: Frühburgunder gerettet\ndate: 10.06.2013\nsource: DW\n"
           "url: https://www.dw.com/en/a-16863843\n---\n" + "\n".join(ARTICLE[1:])).encode()
    d = parse(raw, "ahr.md")
    assert (d.title, d.date, d.site, d.url) == ("Frühburgunder gerettet", "2013-06-10", "DW",
                                                "https://www.dw.com/en/a-16863843")
    assert d.text.startswith(ARTICLE[1]) and "---" not in d.text and "source:" not in d.text


def test_front_matter_with_a_bad_date_names_the_file():
    with pytest.raises(InputError, match=r"^x\.txt: date 'gestern' is not a date; write it as YYYY-MM-DD"):
        parse(b"---\ndate: gestern\n---\nText.", "x.txt")


def test_pdf_and_docx_files_load_from_disk(tmp_path):
    (tmp_path / "a.pdf").write_bytes(text_pdf(ARTICLE))
    (tmp_path / "b.docx").write_bytes(docx_bytes("B", ARTICLE))
    assert ARTICLE[2] in load_file(tmp_path / "a.pdf", tmp_path).text
    assert ARTICLE[2] in load_file(tmp_path / "b.docx", tmp_path).text


def test_pdf_docx_and_latin1_are_ingested(hash_pipeline, tmp_path):
    tmp_path = tmp_path / "new"
    tmp_path.mkdir()
    (tmp_path / "a.pdf").write_bytes(text_pdf(ARTICLE))
    (tmp_path / "scan.pdf").write_bytes(scanned_pdf())
    (tmp_path / "b.docx").write_bytes(docx_bytes("B", ("Rebsorten der Ahr", "Spätburgunder wächst dort auf "
                                                       "Schiefer und Grauwacke in großen Mengen.")))
    (tmp_path / "c.html").write_bytes(LATIN1_PAGE.encode("latin-1"))
    rep = hash_pipeline.ingest(tmp_path)
    assert sorted(rep.added) == ["a.pdf", "b.docx", "c.html"]
    assert "no text layer" in rep.failed["scan.pdf"]
    texts = " ".join(c.text for c in hash_pipeline.store.all_chunks())
    assert "Schieferhängen" in texts and "Grauwacke" in texts and "Domplatte" in texts
