# SPDX-License-Identifier: MIT
"""What the picture tests share: TAP output, running dmaown, reading an SVG
picture's structure, reading a scenario file's threads and devices, and
decoding a PNG's pixels (zlib and the five PNG filters, nothing else)."""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
BUILD = os.environ.get("DMAOWN_BUILD", "")
SRC = os.environ.get("DMAOWN_SRC", "")


class Tap:
    """TAP with a plan printed at the end, and a count of failures."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, *diag):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, name))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
            for d in diag:
                for line in str(d).splitlines():
                    print("#   " + line)
        sys.stdout.flush()
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, "got:  %r" % (got,),
                       "want: %r" % (want,))

    def skip(self, name, why):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name, why))

    def done(self):
        print("1..%d" % self.n)
        return 1 if self.failed else 0


def setup():
    """A scratch directory with `dmaown` on PATH (so that argv0, and so the
    replay commands the pictures print, read "dmaown"), and the source
    tree as the working directory."""
    if not BUILD or not SRC:
        print("1..0 # SKIP DMAOWN_BUILD and DMAOWN_SRC are not set")
        sys.exit(0)
    tmp = tempfile.mkdtemp(prefix="dmaown-pictures.")
    os.mkdir(os.path.join(tmp, "bin"))
    bindir = os.path.join(tmp, "bin")
    os.symlink(os.path.join(BUILD, "dmaown"), os.path.join(bindir, "dmaown"))
    os.environ["PATH"] = bindir + os.pathsep + os.environ["PATH"]
    os.chdir(SRC)
    return tmp


def cleanup(tmp):
    shutil.rmtree(tmp, ignore_errors=True)


def dmaown(*args, stdin=None):
    """Runs dmaown; returns (exit status, stdout, stderr)."""
    p = subprocess.run(["dmaown"] + list(args), capture_output=True,
                       text=True, timeout=600, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


class Picture:
    """The structure of one SVG picture."""

    def __init__(self, path):
        self.path = path
        self.root = ET.parse(path).getroot()
        self.width = int(self.root.get("width"))
        self.height = int(self.root.get("height"))
        t = self.root.find(SVG + "title")
        self.title = t.text if t is not None else ""
        self.lanes = [g.get("data-thread") for g in self.root.iter(SVG + "g")
                      if g.get("class") == "lane"]
        self.views = {}
        for g in self.root.findall(SVG + "g"):
            if g.get("id"):
                self.views[g.get("id")] = g

    def steps(self, view):
        """Every step drawn in one view: dicts of its data- attributes and
        its tooltip text."""
        out = []
        for g in self.views[view].iter(SVG + "g"):
            cls = (g.get("class") or "").split()
            if "step" not in cls:
                continue
            t = g.find(SVG + "title")
            out.append({
                "step": int(g.get("data-step")),
                "thread": g.get("data-thread"),
                "op": g.get("data-op"),
                "fn": g.get("data-fn"),
                "hl": [int(x) for x in (g.get("data-viol") or "").split()],
                "text": t.text if t is not None else "",
            })
        return out

    def highlighted(self, view, k):
        return [s for s in self.steps(view) if k in s["hl"]]

    def joins(self, view, k):
        """The arrows of featured violation @k in one view."""
        return [e for e in self.views[view].iter(SVG + "path")
                if e.get("class") == "join" and
                e.get("marker-end", "").endswith("-a%d)" % k)]

    def footer(self):
        return ["".join(t.itertext()) for t in self.root.iter(SVG + "text")
                if "foot" in (t.get("class") or "").split()]


def scenario(path):
    """Threads (in order), devices and their groups of a .own file."""
    threads, groups = [], {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            m = re.match(r"thread\s+(\S+)\s*\{", line)
            if m:
                threads.append(m.group(1))
            w = line.split()
            if len(w) >= 3 and w[0] == "device":
                g = w[w.index("group") + 1] if "group" in w[3:] else None
                groups[w[1]] = g
    return threads, groups


def png_size(path):
    """(width, height) from a PNG's header."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return struct.unpack(">II", head[16:24])


def png(path):
    """(width, height, pixels as a list of (r, g, b[, a]) rows)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError("unexpected PNG format %d/%d" % (depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append([tuple(line[i:i + 3]) for i in range(0, stride, bpp)])
        prev = line
    return w, h, rows


def colours(rows):
    seen = {}
    for row in rows:
        for px in row:
            seen[px] = seen.get(px, 0) + 1
    return seen


KIND_COLOUR = {
    "bug": "#c62828", "uaf": "#c62828", "deadlock": "#c62828",
    "isolation": "#e65100", "accounting": "#ad1457", "warn": "#8d6e00",
    "race": "#6a1b9a",
}


def kind_colour(kind):
    """The highlight colour svg.c gives a kind."""
    return KIND_COLOUR[kind]


def hex_rgb(s):
    return tuple(int(s[i:i + 2], 16) for i in (1, 3, 5))
