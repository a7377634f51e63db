"""The table of issue #11: per fixture page, characters indexed (this loader) vs. the previous
HTML parser (all visible text) vs. the article as a reader sees it (on the page, from its first
to its last sentence as named in tests/test_load_web.py), and the title, date and site found.
Run: PYTHONPATH=. python scripts/measure_web_pages.py"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from test_load_web import PAGES, WEB  # noqa: E402

from rag.load import load_file  # noqa: E402
from rag.load.html import visible_text  # noqa: E402

print("| page | indexed | all visible text (old parser) | article as read | title | date found | date on page | site |")
print("|---|---:|---:|---:|---|---|---|---|")
for name, (begin, end, _s, _f, want) in PAGES.items():
    page = visible_text((WEB / name).read_text(encoding="utf-8"))[0]
    a = page.index(begin)
    article = len(page[a: page.index(end, a) + len(end)])
    d = load_file(WEB / name, WEB)
    print(f"| {name} | {len(d.text):,} | {len(page):,} | {article:,} | {d.title[:60]} | {d.date or '-'} | "
          f"{want or 'none stated'} | {d.site} |")
