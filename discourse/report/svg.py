"""Charts as inline SVG, drawn in Python: no chart library, no script, no network.

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that say
what it shows, so a screen reader announces it; the report puts a data table next to
each chart as the text alternative. Colours come from the Okabe-Ito palette, which
stays distinguishable for the common forms of colour blindness, and every series also
differs by dash pattern or marker shape, so the charts survive a black-and-white print.

All text is escaped here (the functions return :class:`markupsafe.Markup`), so labels
taken from the data (speaker names, frame names) can never open a tag.

Points and markers link to their comments for mouse users; those links are left out of
the tab order (``tabindex="-1"``) because the table or list beside each chart holds the
same links, and tabbing through 2,000 points would trap a keyboard user.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

__all__ = ["PALETTE", "bar_chart", "histogram", "line_chart", "network", "timeline"]

#: Okabe and Ito (2008), without yellow, which is too light for lines on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = ("", "7 4", "2 3", "10 3 2 3")
_FONT = 'font-family="system-ui, sans-serif"'


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".") if v == v else "0"


def _svg(uid: str, width: int, height: int, title: str, desc: str, body: list) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{escape(uid)}-t {escape(uid)}-d" {_FONT} font-size="12">'
        f'<title id="{escape(uid)}-t">{escape(title)}</title><desc id="{escape(uid)}-d">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(str(b) for b in body) + "</svg>")


def _short(label: str, n: int = 26) -> str:
    label = str(label)
    return label if len(label) <= n else label[: n - 1] + "…"


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    out = []
    v = first
    while v <= hi + 1e-9:
        out.append(round(v, 10))
        v += step
    return out


def line_chart(series, *, uid: str, title: str, desc: str, width: int = 720, height: int = 260,
               y_range=(-1.0, 1.0), x_label: str = "", y_label: str = "", x_ticks=None,
               markers: bool = True) -> Markup:
    """Lines over a shared x axis, with a zero line and a legend.

    Parameters
    ----------
    series : list of dict
        Each ``{"name": str, "points": [(x, y, tip, href), ...]}``; ``tip`` and ``href``
        (a ``#fragment`` in the page) may be ``""``. Markers are drawn for the first
        series when there are at most 400 points.
    y_range : (float, float)
        The y axis.
    x_ticks : list of (x, label), optional
        Tick labels; numbers are used when omitted.

    Examples
    --------
    >>> svg = line_chart([{"name": "own words", "points": [(0, .5, "", ""), (1, -.2, "", "")]}],
    ...                  uid="s", title="Sentiment", desc="Two comments")
    >>> svg.startswith("<svg") and "<title id=\\"s-t\\">Sentiment</title>" in svg
    True
    """
    left, right, top, bottom = 48, 34, 30, 36
    pw, ph = width - left - right, height - top - bottom
    xs = [p[0] for s in series for p in s["points"]]
    x0, x1 = (min(xs), max(xs)) if xs else (0, 1)
    if x1 == x0:
        x1 = x0 + 1
    y0, y1 = y_range

    def X(x):
        return left + (x - x0) / (x1 - x0) * pw

    def Y(y):
        y = min(max(y, y0), y1)
        return top + (y1 - y) / (y1 - y0) * ph

    body = [f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#ccc"/>']
    for t in _ticks(y0, y1, 4):
        body.append(f'<line x1="{left}" x2="{left + pw}" y1="{_num(Y(t))}" y2="{_num(Y(t))}" stroke="{"#888" if t == 0 else "#e3e3e3"}"/>')
        body.append(f'<text x="{left - 6}" y="{_num(Y(t) + 4)}" text-anchor="end" fill="#444">{escape(f"{t:+g}" if t and y0 < 0 else f"{t:g}")}</text>')
    ticks = x_ticks if x_ticks is not None else [(t, f"{t:g}") for t in _ticks(x0, x1, 6)]
    for x, label in ticks:
        body.append(f'<text x="{_num(X(x))}" y="{top + ph + 16}" text-anchor="middle" fill="#444">{escape(label)}</text>')
    if x_label:
        body.append(f'<text x="{left + pw / 2}" y="{height - 4}" text-anchor="middle" fill="#444">{escape(x_label)}</text>')
    if y_label:
        body.append(f'<text x="12" y="{top + ph / 2}" text-anchor="middle" fill="#444" transform="rotate(-90 12 {top + ph / 2})">{escape(y_label)}</text>')
    lx = left
    for i, s in enumerate(series):
        color, dash = PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)]
        pts = [p for p in s["points"] if p[1] == p[1]]
        if len(pts) > 1:
            d = " ".join(f"{'M' if j == 0 else 'L'}{_num(X(p[0]))},{_num(Y(p[1]))}" for j, p in enumerate(pts))
            body.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="{2.2 if i == 0 else 1.6}"'
                        f'{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""}/>')
        if markers and i == 0 and len(pts) <= 400:
            for p in pts:
                circle = (f'<circle cx="{_num(X(p[0]))}" cy="{_num(Y(p[1]))}" r="3.2" fill="{color}">'
                          f'<title>{escape(p[2])}</title></circle>' if p[2] else
                          f'<circle cx="{_num(X(p[0]))}" cy="{_num(Y(p[1]))}" r="3.2" fill="{color}"/>')
                if p[3]:
                    circle = f'<a href="{escape(p[3])}" tabindex="-1">{circle}</a>'
                body.append(circle)
        body.append(f'<line x1="{lx}" x2="{lx + 22}" y1="14" y2="14" stroke="{color}" stroke-width="2.2"'
                    f'{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""}/>')
        body.append(f'<text x="{lx + 26}" y="18" fill="#222">{escape(s["name"])}</text>')
        lx += 40 + 7 * len(s["name"])
    return _svg(uid, width, height, title, desc, body)


def bar_chart(items, *, uid: str, title: str, desc: str, width: int = 720, value_format: str = "{:g}",
              max_value: float | None = None) -> Markup:
    """Horizontal bars, one per ``(label, value)`` item, largest first as given.

    Examples
    --------
    >>> "war" in bar_chart([("war", 3), ("sport", 1)], uid="b", title="Frames", desc="counts")
    True
    """
    bar_h, gap, left, top = 18, 8, 200, 8
    height = top + len(items) * (bar_h + gap) + 8
    top_value = max_value if max_value else max([v for _, v in items] or [1]) or 1
    pw = width - left - 70
    body = []
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_h + gap)
        w = max(0.0, value / top_value * pw)
        body.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end" fill="#222">{escape(_short(label, 28))}</text>')
        body.append(f'<rect x="{left}" y="{y}" width="{_num(w)}" height="{bar_h}" fill="{PALETTE[0]}"><title>{escape(label)}: {escape(value_format.format(value))}</title></rect>')
        body.append(f'<text x="{_num(left + w + 6)}" y="{y + 13}" fill="#222">{escape(value_format.format(value))}</text>')
    return _svg(uid, width, max(height, 30), title, desc, body)


def histogram(counts, edges, *, uid: str, title: str, desc: str, width: int = 360, height: int = 170,
              x_label: str = "", color: str = PALETTE[0]) -> Markup:
    """Vertical bars for ``len(edges) - 1`` bins.

    Examples
    --------
    >>> "<rect" in histogram([1, 3], [0, .5, 1], uid="h", title="t", desc="d")
    True
    """
    left, right, top, bottom = 34, 8, 10, 34
    pw, ph = width - left - right, height - top - bottom
    peak = max(counts) if counts and max(counts) else 1
    bw = pw / max(len(counts), 1)
    body = [f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="#888"/>']
    for t in _ticks(0, peak, 3):
        y = top + ph - t / peak * ph
        body.append(f'<text x="{left - 4}" y="{_num(y + 4)}" text-anchor="end" fill="#444" font-size="10">{escape(f"{t:g}")}</text>')
    for i, c in enumerate(counts):
        h = c / peak * ph
        body.append(f'<rect x="{_num(left + i * bw + 1)}" y="{_num(top + ph - h)}" width="{_num(max(bw - 2, 1))}" height="{_num(h)}" fill="{color}">'
                    f'<title>{escape(f"{edges[i]:g} to {edges[i + 1]:g}: {c}")}</title></rect>')
    step = max(1, len(counts) // 4)
    for i in range(0, len(edges), step):
        body.append(f'<text x="{_num(left + i * bw)}" y="{top + ph + 14}" text-anchor="middle" fill="#444" font-size="10">{escape(f"{edges[i]:g}")}</text>')
    if x_label:
        body.append(f'<text x="{left + pw / 2}" y="{height - 4}" text-anchor="middle" fill="#444" font-size="11">{escape(x_label)}</text>')
    return _svg(uid, width, height, title, desc, body)


def network(nodes, edges, *, uid: str, title: str, desc: str, size: int = 400) -> Markup:
    """Who answers whom: speakers on an ellipse, an arrow from the replier to the one answered.

    The drawing is only as tall as its speakers need: two speakers sit side by side, a
    few on a flat ellipse, many on a near circle; the height is cut to the circles, their
    names and the bend of the arrows. The drawing is *size* + 200 wide; the ellipse
    leaves 160 on each side for the names.

    Parameters
    ----------
    nodes : list of (name, comments)
        Circle area follows the number of comments.
    edges : list of (source, target, replies)
        Arrow width follows the number of replies.

    Examples
    --------
    >>> svg = network([("Ann", 2), ("Bob", 1)], [("Bob", "Ann", 1)], uid="n", title="t", desc="d")
    >>> svg.count("<circle"), 'height="88"' in svg  # two speakers side by side: a low strip
    (2, True)
    """
    width = size + 200  # room for names of up to 20 characters on the left and right of the ellipse
    n = max(len(nodes), 1)
    rx = size / 2 - 60
    # Two speakers side by side; the ellipse rounds out as speakers are added.
    ry = 0.0 if n <= 2 else rx * min(0.85, 0.35 + 0.06 * n)
    start = math.pi if n <= 2 else -math.pi / 2
    top = max([c for _, c in nodes] or [1])
    rad = {name: 4 + (14 if n <= 10 else 9) * math.sqrt(c / top) for name, c in nodes}
    angle = {name: start + 2 * math.pi * i / n for i, (name, _) in enumerate(nodes)}
    # Above and below each circle: its name (18) or the bend of an arrow (22), whichever is more.
    reach = max(rad.values(), default=4) + 26
    lo = min([ry * math.sin(a) for a in angle.values()] or [0]) - reach
    hi = max([ry * math.sin(a) for a in angle.values()] or [0]) + reach
    height = int(math.ceil(hi - lo))
    cx, cy = width / 2, -lo
    pos = {name: (cx + rx * math.cos(a), cy + ry * math.sin(a), a) for name, a in angle.items()}
    wmax = max([w for *_, w in edges] or [1])
    body = [f'<defs><marker id="{escape(uid)}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    for a, b, w in edges:
        if a not in pos or b not in pos or a == b:
            continue
        (x1, y1, _), (x2, y2, _) = pos[a], pos[b]
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1
        # Bend every arrow to its right so a->b and b->a stay apart.
        mx, my = (x1 + x2) / 2 - dy / dist * 22, (y1 + y2) / 2 + dx / dist * 22
        ex, ey = x2 - (x2 - mx) / math.hypot(x2 - mx, y2 - my) * (rad[b] + 2), y2 - (y2 - my) / math.hypot(x2 - mx, y2 - my) * (rad[b] + 2)
        body.append(f'<path d="M{_num(x1)},{_num(y1)} Q{_num(mx)},{_num(my)} {_num(ex)},{_num(ey)}" fill="none" stroke="#555" '
                    f'stroke-opacity="0.75" stroke-width="{_num(1 + 3 * w / wmax)}" marker-end="url(#{escape(uid)}-arrow)">'
                    f'<title>{escape(f"{a} answers {b}: {w} repl" + ("y" if w == 1 else "ies"))}</title></path>')
    for name, c in nodes:
        x, y, a = pos[name]
        body.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(rad[name])}" fill="{PALETTE[0]}" stroke="#fff" stroke-width="1.5">'
                    f'<title>{escape(f"{name}: {c} comment" + "s" * (c != 1))}</title></circle>')
        # Names beside the circle, left or right of it; above or below it at the top and bottom.
        side = math.cos(a)
        vertical = ry * math.sin(a) / (ry or 1)
        if abs(side) > 0.2:
            lx, ly, anchor = x + math.copysign(rad[name] + 6, side), y + 4, "start" if side > 0 else "end"
        else:
            lx, anchor = x, "middle"
            ly = y + rad[name] + 14 if vertical > 0 else y - rad[name] - 6
        body.append(f'<text x="{_num(lx)}" y="{_num(ly)}" text-anchor="{anchor}" fill="#222">{escape(_short(name, 20))}</text>')
    return _svg(uid, width, height, title, desc, body)


#: Marker shapes of the frame-debate timeline, by role.
ROLE_MARKS = {
    "introduced": ("star", PALETTE[2]),
    "adopted": ("circle", PALETTE[0]),
    "contested": ("triangle", PALETTE[1]),
    "meta": ("square", PALETTE[3]),
}


def _marker(shape: str, x: float, y: float, color: str) -> str:
    if shape == "star":
        pts = []
        for k in range(10):
            r = 8 if k % 2 == 0 else 3.5
            a = -math.pi / 2 + k * math.pi / 5
            pts.append(f"{_num(x + r * math.cos(a))},{_num(y + r * math.sin(a))}")
        return f'<polygon points="{" ".join(pts)}" fill="{color}"'
    if shape == "triangle":
        return f'<polygon points="{_num(x)},{_num(y - 6)} {_num(x + 6)},{_num(y + 5)} {_num(x - 6)},{_num(y + 5)}" fill="{color}"'
    if shape == "square":
        return f'<rect x="{_num(x - 4.5)}" y="{_num(y - 4.5)}" width="9" height="9" fill="#fff" stroke="{color}" stroke-width="2"'
    return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="4.5" fill="{color}"'


def timeline(rows, *, x_max: int, uid: str, title: str, desc: str, width: int = 720) -> Markup:
    """One lane per frame; a marker per event at the comment's position in the thread.

    Parameters
    ----------
    rows : list of (frame, events)
        ``events`` are ``(x, role, tip, href)``; role is a key of :data:`ROLE_MARKS`.
    x_max : int
        The last position (the lanes run from the post, x = -1, to x_max).

    Examples
    --------
    >>> svg = timeline([("war", [(0, "introduced", "c1", "#c-c1"), (3, "contested", "c4", "")])],
    ...                x_max=5, uid="f", title="t", desc="d")
    >>> svg.count('<a href="#c-c1" tabindex="-1">'), svg.count("<title>")
    (1, 2)
    """
    left, right, top, lane = 150, 16, 34, 30
    height = top + lane * len(rows) + 28
    pw = width - left - right

    def X(x):
        return left + (x + 1) / (x_max + 2) * pw

    body = []
    lx = left
    for role, (shape, color) in ROLE_MARKS.items():
        body.append(_marker(shape, lx + 6, 14, color) + "/>")
        body.append(f'<text x="{lx + 16}" y="18" fill="#222">{escape(role)}</text>')
        lx += 30 + 8 * len(role)
    for i, (frame, events) in enumerate(rows):
        y = top + i * lane + lane / 2
        body.append(f'<line x1="{left}" x2="{left + pw}" y1="{_num(y)}" y2="{_num(y)}" stroke="#ddd"/>')
        body.append(f'<text x="{left - 8}" y="{_num(y + 4)}" text-anchor="end" fill="#222">{escape(_short(frame, 22))}</text>')
        for x, role, tip, href in events:
            shape, color = ROLE_MARKS.get(role, ROLE_MARKS["adopted"])
            mark = _marker(shape, X(x), y, color) + f"><title>{escape(tip)}</title></{'polygon' if shape in ('star', 'triangle') else 'rect' if shape == 'square' else 'circle'}>"
            body.append(f'<a href="{escape(href)}" tabindex="-1">{mark}</a>' if href else mark)
    base = top + lane * len(rows) + 14
    body.append(f'<text x="{_num(X(-1))}" y="{base}" text-anchor="start" fill="#444">post</text>')
    body.append(f'<text x="{_num(X(x_max))}" y="{base}" text-anchor="end" fill="#444">comment {x_max + 1}</text>')
    return _svg(uid, width, height, title, desc, body)
