"""Ten real saved news pages (tests/fixtures/web/, German and English, boilerplate included).
For each page, three sentences of the article that must be indexed and the page furniture that
must not be (menus, cookie and newsletter boxes, teasers, footers, reader comments, bylines,
datelines, credits, copyright lines, author and donation boxes), chosen by reading the page itself. Each must be on the page as a reader sees it, so a
check that it is (or is not) indexed can fail."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.load import load_file
from rag.load.html import visible_text

WEB = Path(__file__).parent / "fixtures" / "web"

# file: (article begins, article ends, three article sentences, furniture, date)
PAGES = {
    "bmjv.de.konsum.html": (
        "Ob Energie, Finanzen oder Telekommunikation", "unterliegen der Aufsicht der Kartellbehörden.",
        ["Ob Energie, Finanzen oder Telekommunikation: überall finden sich Preisanpassungsklauseln.",
         "Die Versorgung des Kunden mit Strom und Gas kann durch einen Grundversorgungsvertrag oder einen "
         "Sondervertrag erfolgen.",
         "Vor einer Klage sollten sich die Kunden informieren, zum Beispiel bei den Verbraucherzentralen."],
        ["Springe direkt zu:", "Servicemenü", "© 2019 Bundesministerium der Justiz und für Verbraucherschutz",
         "Foto: photocase.de", "Unternavigationspunkte", "Information der Verbraucherzentrale NRW vom 02.01.2016"],
        None),  # a ministry's service page: it states no publication date
    "cnet.de.schutz.html": (
        "Gestern wurde der Streit zwischen Google Spanien", "über die Ergebnisse von Beschwerden informiert werden",
        ["Gestern wurde der Streit zwischen Google Spanien und der spanischen Datenschutzbehörde Agencia "
         "Española de Protección de Datos (AEPD) vom Europäischen Gerichtshof (EuGH) in Luxemburg entschieden "
         "(Aktenzeichen C131/12).",
         "In jedem Fall ist es empfehlenswert, einmal den eigenen Namen sowie den seines Unternehmens zu "
         "googeln und – falls angebracht – die Datenkrake zur Löschung aufzufordern.",
         "Damit das Urteil nicht in Theorie und Bürokratie steckenbleibt"],
        ["Tests von Smartphones, Digitalkameras, Tablets und vieles mehr", "E-Mail an die Redaktion",
         "Copyright © 2019 CBS Interactive",
         "ist Gründungspartner und Namensgeber der Kanzlei Dr. Schulte",  # the author box after the article
         "von Anja Schmoll-Trautmann am 14. Mai 2014", "Fanden Sie diesen Artikel nützlich?"],
        "2014-05-14"),
    "computerbase.de.htc.html": (
        "Vor knapp zwei Wochen stellten Microsoft", "gibt es in der dazugehörigen Vorstellungs-News.",
        ["Vor knapp zwei Wochen stellten Microsoft und HTC mit dem „HTC Touch“ getauften Smartphone "
         "erstmals die eigene Antwort auf Apples iPhone vor.",
         "Im Gegensatz zu bislang erhältlichen Smartphones kann das HTC Touch zwischen Berührungen mit dem "
         "Finger und dem Stylus-Eingabestift unterscheiden.",
         "Als Betriebssystem kommt eine spezielle Version von Microsofts Windows Mobile 6.0 Professional "
         "zum Einsatz."],
        ["Grafikkarten-Rangliste", "Warum Werbebanner?", "© 1999–2019 ComputerBase GmbH", "Bild 1 von 9",
         "71 Kommentare", "hat von Juni 2003 bis Januar 2009 Artikel für ComputerBase verfasst."],
        "2007-06-19"),
    "correctiv.org.zusage.html": (
        "Die AfD behauptet, nichts vom Versand", "auch im ZDF-Magazin Frontal 21 zu sehen.",
        ["Die AfD behauptet, nichts vom Versand einer Gratiszeitung an NRW-Haushalte im Landtagswahlkampf "
         "2017 gewusst zu haben.",
         "Wenn eine Partei mit einer Zuwendung gegen die Regeln verstößt, muss sie in der Regel das "
         "Dreifache ihres Wertes zurückzahlen.",
         "Doch wenn es der AfD um Transparenz geht, dann müsste die Partei erst einmal bei sich selbst und "
         "ihren Spenden anfangen."],
        ["Die besten Recherchen per Mail", "Leave this field empty if you're human",
         "Your donation helps us to remain independent.",
         "CORRECTIV ist spendenfinanziert!", "Jetzt unterstützen",  # the donation box after the article
         "Diese Recherche wurde mit der Unterstützung von Bürgerinnen und Bürgern realisiert.",
         "Das Extrablatt warb für die AfD vor der Landtagswahl", "weiterlesen"],
        "2019-05-14"),
    "dw.com.uncork.html": (
        "One of Germany's smallest wine regions", "I most certainly have.",
        ["One of Germany's smallest wine regions with some of the boldest wines, the Ahr Valley has a "
         "tradition as both innovator and iconoclast.",
         "A thick-skinned variety with a peculiarly small and dark berry, the Frühburgunder is notoriously "
         "low-yielding, meaning less bang-for-your-buck and more labor-intensive vineyard management.",
         "As a sudden storm sets in, I retreat down the slated slopes to a small wine tavern in the "
         "picturesque village of Altenahr, and order a glass of the fabled drop."],
        ["We use cookies to improve our service for you.", "Choose from 30 Languages", "© 2019 Deutsche Welle",
         "DW recommends", "Hip Berliners drink foreign beer", "Audios and videos on the topic"],
        "2013-06-10"),  # the date ending its title and its dateline; htmldate takes a teaser's 2019-08-01
    "meedia.de.freenet.html": (
        "Herr Vilanek, in Deutschland gibt es", "und wir haben keinerlei Pläne, das zu verändern.",
        ["Herr Vilanek, in Deutschland gibt es sieben Millionen TV-Haushalte, die DVB-T nutzen.",
         "Für den Erwerb der Media Broadcast mussten Sie tief in die Tasche greifen.",
         "Das offensichtliche Potenzial liegt im TV und dort können wir auch die Stärken der Freenet Gruppe "
         "voll ausspielen."],
        ["Werben auf MEEDIA", "Cookies ermöglichen eine bestmögliche Bereitstellung unserer Dienste.",
         "Member of B&G Network",
         "Von Gregory Lipinski",  # the byline: the author is metadata, not article text
         "08.03.2016 um 15:30 Uhr", "Keine Neuigkeiten aus der Medien-Branche mehr verpassen"],
        "2016-03-08"),
    "phys.org.tool.html": (
        "A team of researchers affiliated", "at the bottom of the North Sea for most of its existence.",
        ["A team of researchers affiliated with several institutions in The Netherlands has found evidence "
         "in small a cutting tool of Neanderthals using birch tar.",
         "Prior work has turned up evidence of Neanderthals using birch tar to fashion various kinds of "
         "tools, most of which involved hafting sharpened stones to wooden handles.",
         "The tool was found on Zandmotor beach near The Hague prior to the arrival of modern humans"],
        ["Forget Password?", "This site uses cookies to assist with navigation",
         "© Phys.org 2003 - 2020 powered by Science X Network",
         "October 22, 2019 report", "© 2019 Science X Network", "by Bob Yirka , Phys.org",
         "This document is subject to copyright."],
        "2019-10-22"),
    "reuters.com.parasite.html": (
        "LOS ANGELES (Reuters) - South Korean thriller", "Waller-Bridge said.",
        ["LOS ANGELES (Reuters) - South Korean thriller “Parasite” was the upset winner at the Screen "
         "Actors Guild (SAG) awards on Sunday",
         "Martin Scorsese’s $170 million Netflix gangster movie “The Irishman” had another disappointing "
         "night, despite a cast that includes Robert De Niro, Al Pacino, and Joe Pesci.",
         "“This whole thing has been a dream and if I wake up tomorrow and find it’s been just that, "
         "thank you."],
        ["Discover Thomson Reuters", "Do Not Sell My Personal Information",
         "All quotes delayed a minimum of 15 minutes.",
         "Our Standards: The Thomson Reuters Trust Principles.",
         "Additional reporting by Steve Gorman; Editing by Marguerita Choy", "Slideshow ( 15 images )",
         "4 Min Read"],
        "2020-01-19"),  # datePublished and og:article:published_time; 2020-01-20 is its modified date
    "spektrum.de.engelbart.html": (
        "“Manufacturing Consent” – die Produktion", "erfährt man bei alldem leider – nichts.",
        ["“Manufacturing Consent” – die Produktion von Zustimmung – nannten Edward S. Herman und Noam "
         "Chomsky 1988 ihr Buch",
         "Gleich auf der nächsten Seite, Seite 2 des Politikteils – dort, wo die richtig wichtigen Themen "
         "vertieft werden –, findet sich ein zweispaltiger Beitrag von Heike Schmoll",
         "Die mediale Produktion von Ablehnung ist hier in Reinkultur zu besichtigen"],
        ["Astra's Spacelog", "Ich bin dafür, daß wir die nächsten 500 Jahre nur die weibliche Form verwenden.",
         "Nutzungsbedingungen",  # the middle one is a reader's comment, not the article
         "Beitragsbild: Titelseite der FAZ vom 2.4.2019, Ausriss.", "Veröffentlicht in: Originalbeitrag",
         "54 Kommentare"],
        "2019-04-08"),
    "theguardian.com.academics.html": (
        "Thousands of academic staff at British universities", "on the cards later this year.",
        ["Thousands of academic staff at British universities are being treated as second-class citizens "
         "on precarious contracts",
         "One academic told the authors how she had been plunged into a six-month teaching contract without "
         "an interview or training",
         "We need to have an honest conversation about casualisation that draws out the real extent of the "
         "problem and how we can secure improvements for staff."],
        ["Skip to main content", "Temporary work at £9 an hour. No wonder lecturers are balloting to strike",
         "© 2020 Guardian News & Media Limited",
         "Third of Cambridge University staff 'have experienced bullying'",  # a link box inside the article
         "Last modified on Mon 20 Jan 2020 06.07 GMT", "Photograph: Guy Smallman/Getty Images"],
        "2020-01-20"),
}
SCRIPT = re.compile(r"function\s*\(|window\.|document\.|var \w+\s*=|\{\s*\"@context\"")


def _flat(text: str) -> str:
    # the sentences are matched across line breaks: a paragraph may be wrapped on the page
    return re.sub(r"\s+", " ", text.replace("\u00ad", ""))


@pytest.fixture(scope="module")
def docs():
    return {name: load_file(WEB / name, WEB) for name in PAGES}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_article_sentences_are_indexed_and_furniture_is_not(name, docs):
    _, _, sentences, furniture, _ = PAGES[name]
    page = _flat(visible_text((WEB / name).read_text(encoding="utf-8"))[0])
    text = _flat(docs[name].text)
    for s in sentences + furniture:
        assert s in page, f"{s!r} is not on the page as a reader sees it: the check would prove nothing"
    missing = [s for s in sentences if s not in text]
    leaked = [f for f in furniture if f in text]
    assert not missing and not leaked, f"missing article sentences {missing}, furniture indexed {leaked}"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_script_is_indexed(name, docs):
    raw = (WEB / name).read_text(encoding="utf-8")
    assert "<script" in raw
    assert not SCRIPT.search(docs[name].text), SCRIPT.search(docs[name].text)


TITLES = {  # the headline, without the site's name or a date around it
    "bmjv.de.konsum.html": "Transparenz bei Preisanpassungen",  # <title>BMJV | Transparenz bei Preisanpassungen
    "cnet.de.schutz.html": "So können Internet-User nach dem EuGH-Urteil für den Schutz sensibler Daten sorgen",
    "dw.com.uncork.html": "Uncork the mystery of Germany's Frühburgunder",  # '... | DW | 10.06.2013'
    "spektrum.de.engelbart.html": "Die Ablehnung der Gendersprache",  # '... » SciLogs - Wissenschaftsblogs'
    "theguardian.com.academics.html": "Thousands of UK academics 'treated as second-class citizens'",
    "computerbase.de.htc.html": "HTC Touch: Bald bei o2 als „Xda Nova“",  # a colon inside a headline stays
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_title_date_and_site_are_found(name, docs):
    d = docs[name]
    assert d.title and d.site and d.url.startswith("http")
    assert d.title == TITLES.get(name, d.title)
    assert not re.search(r"\s[|»›]\s", d.title), d.title
    # the publication date the page declares; none (not a guess) where it declares none
    assert d.date == (PAGES[name][4] or "")
    # paragraph structure is kept: an article is never one run-on line
    assert d.text.count("\n") >= 3


def test_indexed_text_is_close_to_the_article(docs):
    """The index holds roughly the article: not the page (menus, teasers, comments)."""
    for name, (begin, end, *_rest) in PAGES.items():
        page = visible_text((WEB / name).read_text(encoding="utf-8"))[0]
        a = page.index(begin)
        article = page[a: page.index(end, a) + len(end)]
        assert len(docs[name].text) < 1.5 * len(article) + 500, name
