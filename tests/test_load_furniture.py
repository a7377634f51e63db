"""The generic rules after trafilatura (rag.load.furniture, rag.load.dates): furniture lines
dropped by what they say, on text other than the fixture pages; article sentences that merely
mention the same words kept; the publication date only where a page declares one; the site's
name taken off a headline."""
from __future__ import annotations

import pytest

from rag.load.dates import published_date
from rag.load.furniture import clean_title, drop_furniture

ARTICLE = ("Der Stadtrat hat am Montag den Haushalt beschlossen.\n"
           "Kritiker sagen, das Copyright-Gesetz von 2019 sei veraltet.\n"
           "The photo shows the mayor; reporting by local papers was thin.\n"
           "Von Berlin aus fuhr der Zug weiter nach Hamburg.\n"
           "Die Stiftung will die Schulen unterstützen, sagte sie.")


@pytest.mark.parametrize("furniture", [
    "© 2021 Example Media Group",
    "Copyright 2020 Rheinische Post",
    "Foto: dpa/Michael Kappeler",
    "Photo credit: Jane Doe / AP",
    "Titelbild: Pixabay",
    "Reporting by Jane Doe; Editing by John Smith",
    "Writing by Anna Berg",
    "Our Standards: The Example Trust Principles.",
    "March 3, 2021 feature",
    "12. März 2021",
    "All rights reserved.",
])
def test_a_furniture_line_is_dropped_and_the_article_kept(furniture):
    text, _ = drop_furniture(ARTICLE + "\n" + furniture)
    assert text == ARTICLE


def test_article_lines_that_mention_the_same_words_are_kept():
    assert drop_furniture(ARTICLE)[0] == ARTICLE


def test_a_credit_glued_to_the_last_paragraph_is_cut_off_the_sentence_kept():
    text, _ = drop_furniture("Erster Absatz.\nDer Antrag wurde abgelehnt.Foto: photocase.de")
    assert text == "Erster Absatz.\nDer Antrag wurde abgelehnt."
    # a colon inside a sentence is no credit
    kept = "Er sagte: Das Foto: ein Fake. Mehr wisse er nicht."
    assert drop_furniture(kept)[0] == kept


def test_a_byline_at_the_top_is_dropped_and_returned():
    text, byline = drop_furniture("By Maria Garcia and Tom O'Neil\n" + ARTICLE)
    assert text == ARTICLE and byline == "Maria Garcia and Tom O'Neil"
    text, byline = drop_furniture("Von Anna von Berg\n" + ARTICLE)
    assert text == ARTICLE and byline == "Anna von Berg"
    # not at the top: an article line, kept
    assert drop_furniture(ARTICLE + "\nVon Anna Berg")[1] == ""


def test_an_author_box_and_a_donation_appeal_after_the_article_are_dropped():
    box = "Über den Autor\nMax Muster ist Fachanwalt für IT-Recht in Köln."
    assert drop_furniture(ARTICLE + "\n" + box)[0] == ARTICLE
    appeal = ("Unabhängiger Journalismus braucht Sie!\nWir sind werbefrei und leben von Ihrer Hilfe. "
              "Jetzt unterstützen!")
    assert drop_furniture(ARTICLE + "\n" + appeal)[0] == ARTICLE
    appeal = "Support independent journalism\nEvery contribution keeps us going. Donate now."
    assert drop_furniture(ARTICLE + "\n" + appeal)[0] == ARTICLE
    # a heading 'Author' far from the end is no author box
    long_text = "Author\n" + "Ein langer Absatz über Literatur. " * 60
    assert drop_furniture(long_text)[0].startswith("Author")


PAGE = """<html><head><title>{title}</title>{head}</head><body>{body}<p>Text.</p></body></html>"""


@pytest.mark.parametrize("head, body, title, url, want", [
    # declared publication date wins over the modified date and over teasers' dates
    ('<meta property="article:modified_time" content="2021-05-02T10:00:00Z">'
     '<meta property="article:published_time" content="2021-05-01T08:00:00+02:00">',
     '<span class="date">03.06.2022</span>', "A", "", "2021-05-01"),
    ('<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", "dateModified": "2020-02-02",'
     ' "datePublished": "2020-02-01T09:00:00Z"}]}</script>', "", "A", "", "2020-02-01"),
    ("", '<time itemprop="datePublished" datetime="2019-07-04">4 July</time>', "A", "", "2019-07-04"),
    ("", "", "A", "https://example.org/2018/11/05/a-story/", "2018-11-05"),
    ("", "", "A", "https://example.org/news/2018/nov/05/a-story", "2018-11-05"),
    ("", "", "A story | Example | 10.06.2013", "", "2013-06-10"),
    ("", "<ul><li><strong>Datum</strong> 12. März 2015</li></ul>", "A", "", "2015-03-12"),
    # only dates of other things on the page: no date, not a guess
    ("", '<div class="related"><span class="date">01.08.2019</span></div><p>Stand vom 02.01.2016</p>',
     "A", "https://example.org/page.html", ""),
])
def test_published_date(head, body, title, url, want):
    assert published_date(PAGE.format(title=title, head=head, body=body), url) == want


@pytest.mark.parametrize("title, site, url, want", [
    ("A headline | DW | 10.06.2013", "DW.COM", "https://www.dw.com/en/x", "A headline"),
    ("A headline - Example.com", "", "https://example.com/x", "A headline"),
    ("EXAMPLE | Der Titel", "", "https://www.example.de/x", "Der Titel"),
    ("Die Ablehnung » SciLogs - Wissenschaftsblogs", "Die Engelbart-Galaxis",
     "https://scilogs.spektrum.de/x", "Die Ablehnung"),
    ("Streit – und kein Ende | Politik | Tagesblatt", "Tagesblatt", "https://tagesblatt.de/x",
     "Streit – und kein Ende | Politik"),
    # no site part: unchanged, separators and all
    ("HTC Touch: Bald bei o2 – ein Test", "ComputerBase", "https://www.computerbase.de/x",
     "HTC Touch: Bald bei o2 – ein Test"),
    ("Example", "Example", "https://example.com/", "Example"),
])
def test_clean_title(title, site, url, want):
    assert clean_title(title, site, url) == want


def test_a_related_stories_box_and_a_teaser_line_are_dropped_and_the_article_stays():
    from rag.load import parse
    from rag.load.furniture import drop_related

    text = ("Lin Jian sagte am Dienstag, das bleibe ihnen überlassen.\n"
            "VERWANDTE GESCHICHTEN\n"
            "Die Ukraine „hält“ eine 50.000 Mann starke Truppe zurück: Selenskyj\n"
            "Nordkoreanische Truppen werden bald kämpfen, sagen die USA\n"
            "China steht zunehmend unter Druck.\n"
            "Mehr zum Thema ‒ Die antichinesische Front: Resolution des EU-Parlaments\n"
            "Lesen Sie auch die Erklärung des Ministeriums, die am Montag kam.")
    out = drop_related(text)
    assert out.split("\n") == ["Lin Jian sagte am Dienstag, das bleibe ihnen überlassen.",
                               "China steht zunehmend unter Druck.",  # the article goes on: a sentence
                               "Lesen Sie auch die Erklärung des Ministeriums, die am Montag kam."]
    doc = parse(text.encode(), "a.txt")  # saved text articles are cleaned as web pages are
    assert "VERWANDTE" not in doc.text and "50.000 Mann" not in doc.text and "Druck" in doc.text
    plain = "Erster Satz.\nZweiter Satz ohne Punkt\nDritter Satz."
    assert drop_related(plain) == plain  # nothing to drop: the text as it was
