# SPDX-License-Identifier: MIT
# The pictures of counterexamples: the pre-5.19 BUG_ON of the seed drawn as
# the thread draws the race (two lanes, the viability read against the
# bind's store, the bind's dma_configure and the notifier's BUG_ON), its
# structure (XML, one lane per thread, the highlighted steps exactly those
# the violations name, a folded and a full view), its rendering to PNG by
# rsvg-convert (the size the SVG states, not blank, the highlight colours
# drawn); then every picture `dmaown check --svg` draws over the bundled
# corpus, one per violation, each judged by the same rules.
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pictures as P  # noqa: E402

t = P.Tap()
tmp = P.setup()
rsvg = shutil.which("rsvg-convert")

# --- The seed's case, replayed.
seed = os.path.join(tmp, "seed.svg")
sched = "0x37.1x11.0.2x21"
st, out, err = P.dmaown("replay", "scenarios/vfio-sibling-bind.own",
                        "--policy", "legacy", "--schedule", sched,
                        "--svg", seed)
st0, out0, _ = P.dmaown("replay", "scenarios/vfio-sibling-bind.own",
                        "--policy", "legacy", "--schedule", sched)
t.eq((st, out), (st0, out0),
     "replay --svg prints and exits as replay does without it")
t.ok("Violation bug: BUG_ON" in out, "and shows the BUG_ON", out[-400:])
try:
    pic = P.Picture(seed)
    parsed = True
except Exception as e:  # noqa: BLE001
    parsed = False
    t.ok(False, "the seed's picture parses as XML", e)
if parsed:
    t.ok(True, "the seed's picture parses as XML")
    t.eq(pic.lanes, ["P0", "P1"], "two lanes, named as the file's threads")
    t.eq(pic.title.split("; ")[0].split(":")[0], "isolation",
         "the title starts with the first violation's kind")
    t.eq([x.split(":")[0] for x in pic.title.split("; ")],
         ["isolation", "bug"],
         "the title names every violation of the execution")
    t.ok(set(pic.views) == {"dmaown-all", "dmaown-fold"},
         "a full and a folded view", sorted(pic.views))
    links = sorted(set(a.get("href") for a in pic.root.iter(P.SVG + "a")))
    t.eq(links, ["#dmaown", "#dmaown-fold"],
         "its links show every step (the picture as the target) and fold "
         "them again")
    t.eq(pic.root.get("id"), "dmaown", "the picture is the links' target")

    def key(s):
        return (s["step"], s["thread"], s["op"], s["fn"])

    for view in ("dmaown-fold", "dmaown-all"):
        t.eq(sorted(key(s) for s in pic.highlighted(view, 0)),
             [(62, "P1", "note", "dma_configure"),
              (63, "-", "violation", "-")],
             "%s: isolation: the bind's dma_configure and the check that "
             "fired" % view)
        t.eq(sorted(key(s) for s in pic.highlighted(view, 1)),
             [(62, "P1", "note", "dma_configure"),
              (69, "P1", "violation", "dmo__vfio_bound_notify")],
             "%s: the BUG_ON: the bind's dma_configure and the notifier's "
             "BUG_ON" % view)
        t.eq([len(pic.joins(view, k)) for k in range(2)], [1, 1],
             "%s: each violation's two steps are joined by an arrow" % view)
    hl = [s for s in pic.highlighted("dmaown-fold", 1)]
    t.eq([s["text"] for s in hl],
         ["dma_configure 0000:01:00.1 = 0 (dma_configure)",
          "bug: BUG_ON: group 1 is in use by VFIO and 0000:01:00.1 bound a "
          "driver that is not viable (dmo__vfio_bound_notify)"],
         "the highlighted steps say what they did")
    full = pic.steps("dmaown-all")
    fold = pic.steps("dmaown-fold")
    t.ok(len(fold) < len(full),
         "the folded view draws fewer steps (%d) than the full one (%d)" %
         (len(fold), len(full)))
    t.eq(sorted(set(s["thread"] for s in full)), ["-", "P0", "P1"],
         "no step of the set-up thread is drawn")
    t.eq(pic.footer()[-1],
         "replay: dmaown replay scenarios/vfio-sibling-bind.own --policy "
         "legacy --kernel 5.18 --schedule " + sched,
         "the footer is the replay command")
    if rsvg:
        png = os.path.join(tmp, "seed.png")
        r = subprocess.run([rsvg, seed, "-o", png], capture_output=True,
                           text=True)
        t.eq(r.returncode, 0, "rsvg-convert renders the picture")
        w, h, rows = P.png(png)
        t.eq((w, h), (pic.width, pic.height),
             "the PNG has the size the SVG states")
        seen = P.colours(rows)
        t.ok(len(seen) > 50, "the PNG is not blank (%d colours)" % len(seen))
        for name, colour in (("bug", "#c62828"), ("isolation", "#e65100")):
            t.ok(P.hex_rgb(colour) in seen,
                 "the %s highlight colour %s is drawn" % (name, colour))
    else:
        for name in ("renders", "size", "not blank", "bug colour",
                     "isolation colour"):
            t.skip("rsvg-convert: " + name, "rsvg-convert not installed")

# --- One picture per violation over the corpus.
d = os.path.join(tmp, "corpus")
st, out, err = P.dmaown("check", "--policy", "all", "--svg", d, "scenarios/")
t.eq(st, 0, "check --svg over the corpus exits 0")
t.eq(err, "", "and prints nothing on standard error")
want = []
conds = []
test = pol = None
counts = {}
for line in out.splitlines():
    m = re.match(r"Test (\S+) \(policy ([^,)]+)", line)
    if m:
        test, pol = m.groups()
        counts = {}
    m = re.match(r"Violation (\w+): (.*)", line)
    if m:
        kind = m.group(1)
        counts[kind] = counts.get(kind, 0) + 1
        suffix = "" if counts[kind] == 1 else "-%d" % counts[kind]
        want.append(("%s.%s.%s%s.svg" % (test, pol, kind, suffix), kind,
                     m.group(2)))
    if line.startswith("Counterexample: "):
        conds.append("%s.%s.condition.svg" % (test, pol))
got = sorted(os.listdir(d)) if os.path.isdir(d) else []
t.eq(got, sorted([w[0] for w in want] + conds),
     "one picture per violation the report prints, named TEST.POLICY.KIND, "
     "and one per counterexample of a condition, TEST.POLICY.condition")
t.ok(len(conds) > 0, "the corpus has %d counterexamples of a condition"
     % len(conds))
t.ok(len(want) > 50, "the corpus has %d counterexamples" % len(want))

files = {}
for name in os.listdir("scenarios"):
    if name.endswith(".own"):
        with open(os.path.join("scenarios", name)) as f:
            m = re.search(r"^test\s+(\S+)", f.read(), re.M)
        files[m.group(1) if m else name[:-4]] = os.path.join("scenarios", name)


def side(text):
    """'OP WHAT in FN by T' -> (op, what, fn, thread)."""
    w = text.split()
    return w[0], w[1], w[3], w[5]


def judge(pic, kind, message, groups):
    """Why a picture's highlights are not those its violation names, or
    None."""
    hl = pic.highlighted("dmaown-all", 0)
    if not hl:
        return "nothing highlighted"
    if kind == "race":
        body = message[len("data race: "):]
        a, b = body.split(", ", 1)
        want = sorted((s[3], s[2], s[0] == "read") for s in (side(a), side(b)))
        got = sorted((s["thread"], s["fn"], s["op"] == "read") for s in hl)
        if got != want:
            return "race: got %r, want %r" % (got, want)
        what = side(a)[1]
        for s in hl:
            if not s["text"].startswith(what + " ") and \
                    not s["text"].startswith(what + " ("):
                return "race: %r is not an access to %s" % (s["text"], what)
        return None
    if kind == "uaf":
        m = re.match(r"use after free: (\S+) (\S+) in (\S+) by (\S+) "
                     r"\((.*) freed in (\S+) by (\S+)\)$", message)
        if not m:
            return "uaf: message not understood"
        want = sorted([(m.group(4), m.group(3), m.group(1)),
                       (m.group(7), m.group(6), "free")])
        got = sorted((s["thread"], s["fn"], s["op"]) for s in hl)
        return None if got == want else "uaf: got %r, want %r" % (got, want)
    own = [s for s in hl if s["op"] == "violation"]
    if len(own) != 1 or not own[0]["text"].startswith(kind + ": " + message):
        return "%s: the violation's own step is not highlighted once" % kind
    devs = [dv for dv in groups if re.search(r"(^|[ (])%s([ :),]|$)" %
                                             re.escape(dv), message)]
    if not devs:
        m = re.search(r"group (\d+)", message)
        devs = [dv for dv, g in groups.items() if m and g == m.group(1)]
    for s in hl:
        if s is own[0]:
            continue
        if s["op"] != "note" or s["fn"] not in ("dma_configure",
                                                "dma_cleanup"):
            return "%s: %r is not a bus callback" % (kind, s["text"])
        if s["text"].split()[1] not in devs:
            return "%s: %r names no device of the violation" % (kind,
                                                                s["text"])
    return None


rendered = set()
for name, kind, message in want:
    path = os.path.join(d, name)
    test = name.split(".")[0]
    threads, groups = P.scenario(files[test])
    try:
        pic = P.Picture(path)
    except Exception as e:  # noqa: BLE001
        t.ok(False, "%s parses as XML" % name, e)
        continue
    why = []
    if pic.lanes != threads:
        why.append("lanes %r, threads %r" % (pic.lanes, threads))
    if pic.title != "%s: %s" % (kind, message):
        why.append("title %r" % pic.title)
    j = judge(pic, kind, message, groups)
    if j:
        why.append(j)
    for view in pic.views:
        n = len(pic.highlighted(view, 0))
        if len(pic.joins(view, 0)) != n - 1:
            why.append("%s: %d arrows join %d steps" %
                       (view, len(pic.joins(view, 0)), n))
    if "dmaown-fold" in pic.views:
        kept = set(s["step"] for s in pic.highlighted("dmaown-fold", 0))
        if kept != set(s["step"] for s in pic.highlighted("dmaown-all", 0)):
            why.append("folding hides a highlighted step")
    foot = pic.footer()[-1]
    if not foot.startswith("replay: dmaown replay " + files[test] +
                           " --policy ") or \
            not foot.endswith(" --violation " + kind):
        why.append("footer %r" % foot)
    t.ok(not why, "%s: one lane per thread, the steps its %s names "
         "highlighted" % (name, kind), *why)
    if rsvg and kind not in rendered:
        png = os.path.join(tmp, "r.png")
        r = subprocess.run([rsvg, path, "-o", png], capture_output=True)
        ok = r.returncode == 0 and \
            P.png_size(png) == (pic.width, pic.height) and \
            os.path.getsize(png) > 10000
        t.ok(ok, "%s renders to a %dx%d PNG" % (name, pic.width, pic.height))
        rendered.add(kind)

P.cleanup(tmp)
sys.exit(t.done())
