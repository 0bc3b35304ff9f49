# SPDX-License-Identifier: MIT
# dmaown check --html: the page of a run, tried as a new user would
# (`dmaown check --html out.html scenarios/` from the top of the tree) and
# over every policy.  The page must not change what check prints; its
# verdict table must be the one docs/designs.md shows, cell for cell; every
# counterexample the report prints must be on it with its picture inline;
# its summary lines must be the run's; it must fetch nothing.  Then real
# headless Chromium loads it, and every link of the DOM it built must
# resolve.
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pictures as P  # noqa: E402


class Page(HTMLParser):
    """Ids, links, references, the verdict table, the counterexamples."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.ids, self.hrefs, self.refs = [], [], []
        self.rows, self.head = [], []
        self.articles = []      # (id, number of <svg> inside)
        self.pres = {}
        self._stack, self._cell, self._row = [], None, None
        self._pre = None
        self._article = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        for k in ("href", "src", "xlink:href"):
            if k in a:
                self.refs.append((k, a[k]))
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "tr":
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = ""
        if tag == "pre":
            self._pre = a.get("id", "pre%d" % len(self.pres))
            self.pres[self._pre] = ""
        if tag == "article":
            self._article = [a.get("id"), 0]
            self.articles.append(self._article)
        if tag == "svg" and self._article is not None:
            self._article[1] += 1

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        if tag == "tr" and self._row is not None:
            if not self.head:
                self.head = self._row
            else:
                self.rows.append(self._row)
            self._row = None
        if tag == "pre":
            self._pre = None
        if tag == "article":
            self._article = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._pre is not None:
            self.pres[self._pre] += data


def mask(text):
    return re.sub(r"time=[0-9.]+", "time=T", text)


t = P.Tap()
tmp = P.setup()

# --- As a new user: the command of the README, from the top of the tree.
page = os.path.join(tmp, "out.html")
st, out, err = P.dmaown("check", "--html", page, "scenarios/")
t.eq(st, 0, "check --html out.html scenarios/ exits 0")
st2, plain, _ = P.dmaown("check", "scenarios/")
t.eq(mask(out), mask(plain), "--html leaves what check prints unchanged")
with open(page, encoding="utf-8") as f:
    text = f.read()
pg = Page(text)
t.eq(pg.pres.get("command"), "dmaown check --html %s scenarios/" % page,
     "the page shows the command that made it")
summary = [p for k, p in pg.pres.items() if k != "command"][0]
t.eq(mask(summary).splitlines(),
     [ln for ln in mask(out).splitlines()
      if re.match(r"(ok|violation|incomplete) ", ln)],
     "the page's summary lines are the run's")
scen = sorted(f[:-4] for f in os.listdir("scenarios") if f.endswith(".own"))
t.eq(len(pg.rows), len(scen), "a row per scenario of the corpus")
nviol = len(re.findall(r"^(Violation|Counterexample:) ", out, re.M))
t.eq(len(pg.articles), nviol, "every counterexample the report prints is "
     "on the page (%d)" % nviol)
t.ok(all(n == 1 for _, n in pg.articles),
     "each with its picture inline",
     [a for a in pg.articles if a[1] != 1][:5])
ids = set(pg.ids)
t.eq(len(ids), len(pg.ids), "no id is used twice")
bad = [h for h in pg.hrefs if not h.startswith("#") or h[1:] not in ids]
t.eq(bad, [], "every link of the page points into the page and resolves")
ext = [r for r in pg.refs if r[0] != "href" or not r[1].startswith("#")]
t.eq(ext, [], "nothing is loaded from elsewhere (no src, no outside href)")
t.ok("<script" not in text and "@import" not in text and
     "@font-face" not in text and "url(http" not in text,
     "no script, no imported style, no font")

# --- Every policy: the table is docs/designs.md's.
allpage = os.path.join(tmp, "all.html")
st, out, err = P.dmaown("check", "--policy", "all", "--html", allpage,
                        "scenarios/")
t.eq(st, 0, "check --policy all --html exits 0")
with open(allpage, encoding="utf-8") as f:
    alltext = f.read()
pa = Page(alltext)
# tests/designs/verdict-table.t holds docs/designs.md's table to what the
# tool finds; this one holds the page to the same table.
with open(os.path.join(P.SRC, "docs", "designs.md")) as f:
    block = re.search(r"<!-- verdict-table:begin -->\n(.*?)"
                      r"<!-- verdict-table:end -->", f.read(), re.S)
md = [[c.strip() for c in line.strip("|").split("|")]
      for line in (block.group(1).splitlines() if block else [])
      if not line.startswith("|---")]
t.ok(len(md) > 10, "docs/designs.md has its table (%d lines)" % len(md))
t.eq([pa.head] + [[c.replace(" FAIL", "") for c in r] for r in pa.rows], md,
     "the page's verdict table is docs/designs.md's, cell for cell")
links = [h for h in pa.hrefs if re.match(r"#c\d+$", h)]
cells = sum(1 for r in pa.rows for c in r[1:] if c not in ("ok", "n/a"))
# An ok cell links too when its final condition has a counterexample.
okcex = sum(1 for b in out.split("\n\n")
            if "\nCounterexample: " in "\n" + b and
            re.search(r"^ok ", b, re.M))
t.ok(okcex > 0, "some ok check has a counterexample of its condition")
t.eq(len(links), cells + okcex, "every cell that found something, or "
     "whose condition has a counterexample, links to its counterexamples")
t.eq(len(pa.articles),
     len(re.findall(r"^(Violation|Counterexample:) ", out, re.M)),
     "every counterexample of every policy is on the page")
printed = re.findall(r"^  replay: (.*)$", out, re.M)
shown = [p for p in pa.pres.values() if p.startswith("dmaown replay ")]
t.eq(shown, printed, "with the replay command check prints for it")

# --- In a real browser.
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
if not chromium:
    for name in ("loads", "links resolve", "pictures", "table", "screenshot",
                 "the switch"):
        t.skip("chromium: " + name, "chromium is not installed")
else:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync",
             "--user-data-dir=" + os.path.join(tmp, "profile")]
    # One start of the browser does both: it is the slow part.
    shot = os.path.join(tmp, "page.png")
    r = subprocess.run([chromium] + flags +
                       ["--window-size=900,700", "--screenshot=" + shot,
                        "--dump-dom", "file://" + allpage],
                       capture_output=True, text=True, timeout=300,
                       stdin=subprocess.DEVNULL)
    t.ok(r.returncode == 0 and "</html>" in r.stdout,
         "headless Chromium loads the page", r.stderr[-600:])
    dom = Page(r.stdout)
    dids = set(dom.ids)
    bad = [h for h in dom.hrefs if not h.startswith("#") or h[1:] not in dids]
    t.ok(dom.hrefs and not bad, "every link of the DOM Chromium built "
         "resolves (%d links)" % len(dom.hrefs), bad[:10])
    t.eq([n for _, n in dom.articles], [1] * len(pa.articles),
         "Chromium sees every counterexample with its picture")
    t.eq(len(dom.rows), len(pa.rows), "and the whole verdict table")
    # The top of the page: the title, the command, the table's head.
    w = h = 0
    seen = {}
    if os.path.exists(shot):
        w, h, rows = P.png(shot)
        seen = P.colours(rows)
    t.ok((w, h) == (900, 700) and len(seen) > 20,
         "Chromium draws the page (a 900x700 screenshot, %d colours)" %
         len(seen), r.stderr[-600:])

    # The pictures' switch: following the link to the picture itself shows
    # every step, and the picture grows to the full view's height.
    # A picture that folds most of its steps away: the use after free of
    # claim C3.
    seed = os.path.join(tmp, "uaf.svg")
    P.dmaown("replay", "scenarios/c3-recompute-unload-uaf.own", "--policy",
             "recompute", "--schedule", "0x49.1x11.2x21.1", "--svg", seed)
    with open(seed) as f:
        m = re.search(r"#dmaown:target\{height:(\d+)px\}", f.read())
    pic = P.Picture(seed)
    full = int(m.group(1)) if m else 0
    shot = os.path.join(tmp, "full.png")
    r = subprocess.run([chromium] + flags +
                       ["--window-size=%d,%d" % (pic.width, full + 40),
                        "--screenshot=" + shot,
                        "file://" + seed + "#dmaown"],
                       capture_output=True, text=True, timeout=300,
                       stdin=subprocess.DEVNULL)
    drawn = []
    if os.path.exists(shot) and full > pic.height:
        _, _, rows = P.png(shot)
        drawn = [y for y in range(pic.height + 10, full - 5)
                 if any(px != (255, 255, 255) for px in rows[y])]
    t.ok(full > pic.height and len(drawn) > (full - pic.height) // 4,
         "#dmaown unfolds the picture in Chromium: %d of the rows between "
         "the folded height %d and the full %d are drawn" %
         (len(drawn), pic.height, full), r.stderr[-600:])

P.cleanup(tmp)
sys.exit(t.done())
