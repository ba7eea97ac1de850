"""Reports in a real browser: Debian's Chromium driven by Playwright.

Each page is loaded from a file; the tests count console errors and every request that
is not the page itself (or data:/about:), run the page's controls, and take screenshots
(kept in pytest's tmp folder for a person to look at). Skipped only when Chromium is
missing and DISCOURSE_REQUIRE_BROWSER is unset (see the ``chromium`` fixture).
"""

from __future__ import annotations

import pytest

from discourse.report import report

from .conftest import XSS_PAYLOADS, synthetic_corpus

pytestmark = pytest.mark.browser
PIN = {"generated_at": "2026-01-01 00:00 UTC", "version": "0.0.test"}


class Loaded:
    """A page with what it did: console errors, outgoing requests, dialogs."""

    def __init__(self, browser, path, *, javascript=True, width=1100):
        self.context = browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.errors, self.requests, self.dialogs = [], [], []
        self.url = path.resolve().as_uri()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", self._request)
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(self.url, wait_until="load")

    def _request(self, request):
        if request.url != self.url and not request.url.startswith(("data:", "about:")):
            self.requests.append(request.url)

    def close(self):
        self.context.close()


@pytest.fixture
def open_page(chromium):
    pages = []

    def opener(path, **kwargs):
        loaded = Loaded(chromium, path, **kwargs)
        pages.append(loaded)
        return loaded

    yield opener
    for p in pages:
        p.close()


def test_report_browser_seed_loads_clean(seed_analysed, tmp_path, open_page):
    out = tmp_path / "seed.html"
    report(seed_analysed, out, **PIN)
    p = open_page(out)
    assert p.errors == [] and p.requests == []
    assert p.page.locator("li.c").count() == 22
    assert p.page.locator("#controls").is_visible()
    p.page.screenshot(path=str(tmp_path / "seed.png"), full_page=True)
    assert (tmp_path / "seed.png").stat().st_size > 50_000


def test_report_browser_2000_comments_load_clean(tmp_path, open_page):
    out = tmp_path / "big.html"
    report(synthetic_corpus(2000, seed=7), out, **PIN)
    p = open_page(out)
    assert p.errors == [] and p.requests == []
    assert p.page.locator("li.c").count() == 2000
    assert p.page.evaluate("document.querySelectorAll('details.page').length") >= 4
    p.page.screenshot(path=str(tmp_path / "big.png"))


def test_report_browser_collapse_and_filter(analysed_thread, tmp_path, open_page):
    out = tmp_path / "t.html"
    report(analysed_thread, out, **PIN)
    p = open_page(out)
    page = p.page
    # Collapse the first branch with replies: its replies disappear, the comment stays.
    first = page.locator("li.c:has(> details.kids)").first
    reply = first.locator("> details.kids > ol > li.c").first
    assert reply.is_visible()
    first.locator("> details.kids > summary").click()
    assert not reply.is_visible() and first.locator("> article").is_visible()
    page.click("#expand-all")
    assert reply.is_visible()
    # Filter by frame: exactly the comments using it stay in full.
    expected = page.evaluate("Array.from(document.querySelectorAll('li.c')).filter(li => li.dataset.frames.split(';').includes('war')).length")
    assert expected > 0
    page.select_option("#filter", "f:war")
    assert page.locator("li.c.hit").count() == expected
    assert page.locator("li.c.off").count() == 40 - expected
    assert page.locator("li.c.off > article > .tx").first.is_hidden()
    assert page.locator("#filter-status").inner_text() == f"{expected} of 40 comments shown in full"
    page.select_option("#filter", "")
    assert page.locator("li.c.off").count() == 0
    # Keyboard: j moves focus to the next comment; a highlight explains itself on focus.
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.closest('li.c').id") == page.locator("article.cm").nth(1).evaluate("a => a.closest('li.c').id")
    mark = page.locator("li.c mark.hl").first
    mark.focus()
    assert mark.locator(".tip").is_visible()
    assert p.errors == [] and p.requests == []
    page.screenshot(path=str(tmp_path / "filtered.png"), full_page=False)


def test_report_browser_reads_without_javascript(analysed_thread, tmp_path, open_page):
    out = tmp_path / "t.html"
    report(analysed_thread, out, **PIN)
    p = open_page(out, javascript=False)
    assert p.page.locator("#controls").is_hidden()
    assert p.page.locator("li.c .tx:visible").count() == 40
    # Folding works without script: <details> is native.
    first = p.page.locator("li.c:has(> details.kids)").first
    first.locator("> details.kids > summary").click()
    assert first.locator("> details.kids > ol").is_hidden()


def test_report_browser_xss_corpus_runs_nothing(tmp_path, open_page):
    corpus = synthetic_corpus(40, n_threads=2, seed=3, xss=XSS_PAYLOADS)
    out = tmp_path / "xss.html"
    page_obj = report(corpus, out, **PIN)
    targets = [out] + [tmp_path / name for name in page_obj.pages]
    for target in targets:
        p = open_page(target)
        page = p.page
        # Poke everything a user could: hover and focus highlights, run the filter, click the links.
        for mark in page.locator(".tx mark.hl").all()[:40]:
            mark.hover()
            mark.focus()
        if page.locator("#filter").count():
            for value in page.locator("#filter option").evaluate_all("os => os.map(o => o.value)"):
                page.select_option("#filter", value)
        for link in page.locator("a[href^='http']").all()[:5]:
            link.evaluate("a => a.href")
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert p.dialogs == []
        assert p.requests == [], p.requests
        assert p.errors == [], p.errors
        body = page.locator("main").inner_text()
        assert "<script>window.__xss=1</script>" in body
        if target != out:
            assert "{{ 7*7 }}" in body  # template syntax in data stays text
        assert page.evaluate("document.querySelectorAll('main script, main img, main iframe, main style, main form, main base').length") == 0
    p.page.screenshot(path=str(tmp_path / "xss.png"), full_page=False)


def test_report_browser_corpus_links_open(analysed_threads, tmp_path, open_page):
    out = tmp_path / "all.html"
    report(analysed_threads, out, **PIN)
    p = open_page(out)
    assert p.errors == [] and p.requests == []
    href = p.page.locator("#threads a").first.get_attribute("href")
    thread = open_page(tmp_path / href)
    assert thread.errors == [] and thread.requests == []
    assert thread.page.locator("nav.toc a").first.inner_text() == "← All threads"
    p.page.screenshot(path=str(tmp_path / "corpus.png"), full_page=True)


def test_report_browser_print_opens_folded_branches(analysed_thread, tmp_path, open_page):
    out = tmp_path / "t.html"
    report(synthetic_corpus(1100, seed=8, topics=False, frame_debate=False), out, **PIN)
    p = open_page(out)
    p.page.locator("details.page").nth(1).evaluate("d => d.open")
    p.page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert p.page.evaluate("Array.from(document.querySelectorAll('details')).every(d => d.open)")
    p.page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert not p.page.evaluate("document.querySelectorAll('details.page')[1].open")
    pdf = p.page.pdf()
    assert pdf[:4] == b"%PDF"


# WCAG 2.1 contrast of every visible text element against its nearest opaque background.
CONTRAST_JS = """
() => {
  function rgb(s) { const m = s.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; }
  function lum(c) { return [c.r, c.g, c.b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((acc, v, i) => acc + v * [0.2126, 0.7152, 0.0722][i], 0); }
  function bg(el) { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0.5) return c; } return {r: 255, g: 255, b: 255, a: 1}; }
  const bad = [];
  for (const el of document.querySelectorAll('main *, nav *, footer *')) {
    if (!Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    if (el.closest('svg, .tip, .sr') || !el.offsetParent) continue;
    const st = getComputedStyle(el); const fg = rgb(st.color); const b = bg(el);
    const l1 = lum(fg), l2 = lum(b); const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const large = parseFloat(st.fontSize) >= 24 || (parseFloat(st.fontSize) >= 18.6 && parseInt(st.fontWeight) >= 700);
    const opacity = Array.from({length: 1}).reduce(() => { let o = 1; for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity); return o; }, 1);
    if (opacity < 1) continue;
    if (ratio < (large ? 3 : 4.5)) bad.push(el.tagName + '.' + el.className + ' ' + ratio.toFixed(2) + ' ' + el.textContent.trim().slice(0, 30));
  }
  return bad;
}
"""


@pytest.mark.parametrize("which", ["analysed_thread", "analysed_threads"])
def test_report_browser_text_contrast_meets_wcag_aa(which, request, tmp_path, open_page):
    out = tmp_path / "t.html"
    report(request.getfixturevalue(which), out, **PIN)
    p = open_page(out)
    assert p.page.evaluate(CONTRAST_JS) == []


def test_report_browser_keyboard_reaches_controls_and_evidence(analysed_thread, tmp_path, open_page):
    out = tmp_path / "t.html"
    report(analysed_thread, out, **PIN)
    page = open_page(out).page
    seen = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("(() => { const a = document.activeElement; return a.id || a.tagName.toLowerCase() + '.' + (a.className || '').split(' ')[0]; })()"))
    assert "a." in seen  # the skip link and navigation
    assert {"expand-all", "collapse-all", "filter"} <= seen
    assert "summary." in seen  # the post and the reply folds


@pytest.mark.parametrize("which", ["seed_analysed", "analysed_thread", "analysed_threads"])
def test_report_browser_phone_width_has_no_sideways_scroll(which, request, tmp_path, open_page):
    # A wide table must scroll inside its own box on a phone, not drag the whole page sideways.
    out = tmp_path / "t.html"
    report(request.getfixturevalue(which), out, thread_pages=False, **PIN)
    page = open_page(out, width=390).page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("width", [1280, 390])
def test_report_browser_speaker_graph_is_as_tall_as_its_speakers(seed_analysed, tmp_path, open_page, width):
    # The seed's graph has two speakers: drawn side by side in a low strip, not stretched into
    # a tall square with one speaker at the top and one at the bottom; names stay inside it.
    out = tmp_path / "seed.html"
    report(seed_analysed, out, **PIN)
    p = open_page(out, width=width)
    svg = p.page.locator("#network svg.chart")
    box = svg.bounding_box()
    assert box["height"] < 0.3 * box["width"], box
    inside = p.page.evaluate("""() => { const s = document.querySelector('#network svg.chart').getBBox ? 
        document.querySelector('#network svg.chart') : null;
        const vb = s.viewBox.baseVal;
        return [...s.querySelectorAll('text')].every(t => { const b = t.getBBox();
            return b.x >= vb.x && b.y >= vb.y && b.x + b.width <= vb.x + vb.width && b.y + b.height <= vb.y + vb.height; }); }""")
    assert inside
    p.page.screenshot(path=str(tmp_path / f"network-{width}.png"))


@pytest.mark.parametrize("width", [1280, 390])
def test_report_browser_a_jump_to_a_comment_shows_its_speaker_and_id(seed_analysed, tmp_path, open_page, width):
    # Links such as "#c13" in the frame debate or the heated exchanges jump to the comment;
    # its first line (speaker, id, what it replies to) must not land under the sticky bars.
    out = tmp_path / "seed.html"
    report(seed_analysed, out, **PIN)
    p = open_page(out, width=width)
    target = p.page.locator("#debate a[href^='#c-']").first.get_attribute("href")
    p.page.goto(p.url + target)
    p.page.wait_for_timeout(100)
    hidden = p.page.evaluate("""(sel) => { const el = document.querySelector(sel + ' > article') || document.querySelector(sel);
        const b = el.getBoundingClientRect();
        const covers = [...document.querySelectorAll('.toc, .controls')].filter(c => getComputedStyle(c).position === 'sticky')
            .map(c => c.getBoundingClientRect()).filter(r => r.bottom > b.top + 2 && r.top < b.top + 20);
        return covers.length; }""", target)
    assert hidden == 0
    p.page.keyboard.press("j")  # keyboard moves between comments land in view too
    top = p.page.evaluate("document.activeElement.getBoundingClientRect().top")
    bars = p.page.evaluate("Math.max(...[...document.querySelectorAll('.toc, .controls')].filter(c => "
                           "getComputedStyle(c).position === 'sticky').map(c => c.getBoundingClientRect().bottom))")
    assert top >= bars - 1
