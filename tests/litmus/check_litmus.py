# SPDX-License-Identifier: MIT
# The litmus tests of litmus/, as far as they can be judged without herd7.
# Each file is parsed as a C litmus test of the kernel's tools/memory-model
# (a `C NAME` line naming the file, a header comment with a `Result:` line,
# an initial-state block, threads P0..Pn with balanced braces, locks taken
# and released in pairs, an `exists` clause naming only what the threads
# declare); then run under sequential consistency with herd7's lock
# semantics, every interleaving, counting executions as herd7 does (one per
# choice of the value each read takes, of the order of the writes to each
# location and of the order in which the lock is taken).  litmus/README
# must list every file with its recorded herd7 result and the SC result
# computed here, and docs/designs.md's C3 section must cite every file with
# the recorded result.
#
# Usage: check_litmus.py [FILE.litmus...]: with files, only parse and run
# those, printing "FILE: SC KIND POS NEG[, data race]" or the error.
import os
import re
import sys

SRC = os.environ.get("DMAOWN_SRC") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..")
LITMUS = os.path.join(SRC, "litmus")


class LitmusError(Exception):
    def __init__(self, path, line, msg):
        super().__init__("%s:%d: %s" % (os.path.relpath(path, SRC), line,
                                         msg))


TOKEN = re.compile(r"\s*(?:(/\\)|(==)|([A-Za-z_][A-Za-z_0-9]*)|(-?\d+)"
                   r"|([*(){};,=:]))")


def tokens(path, text, first_line):
    """The tokens of text, each (kind, value, line)."""
    out, pos, line = [], 0, first_line
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            rest = text[pos:].lstrip()
            if not rest:
                break
            line += text[pos:len(text) - len(rest)].count("\n")
            raise LitmusError(path, line, "unexpected %r" % rest[0])
        line += text[pos:m.start(m.lastindex)].count("\n")
        kind = ["and", "op", "id", "num", "punct"][m.lastindex - 1]
        out.append((kind, m.group(m.lastindex), line))
        pos = m.end()
    return out


class Thread:
    def __init__(self, n):
        self.n = n
        self.ints, self.locks, self.regs = set(), set(), []
        self.code = []          # compiled instructions
        self.lock_ops = 0


class Litmus:
    pass


class Parser:
    """A thread body: statements of the subset the tests use."""

    def __init__(self, path, toks, thread):
        self.path, self.toks, self.t, self.i = path, toks, thread, 0
        self.ids = 0

    def peek(self, k=0):
        if self.i + k < len(self.toks):
            return self.toks[self.i + k]
        return ("eof", "", self.toks[-1][2] if self.toks else 0)

    def fail(self, msg):
        raise LitmusError(self.path, self.peek()[2], msg)

    def take(self, value=None, kind=None):
        tok = self.peek()
        if (value is not None and tok[1] != value) or \
                (kind is not None and tok[0] != kind):
            self.fail("expected %s, found %r" % (value or kind, tok[1]))
        self.i += 1
        return tok

    def loc(self):
        self.take("*")
        name = self.take(kind="id")[1]
        if name not in self.t.ints:
            self.fail("P%d uses %s, which is not an int * parameter"
                      % (self.t.n, name))
        return name

    def reg(self, name):
        if name not in self.t.regs:
            self.fail("P%d uses register %s before declaring it"
                      % (self.t.n, name))
        return name

    def value(self):
        tok = self.peek()
        if tok[0] == "num":
            self.i += 1
            return ("num", int(tok[1]))
        return ("reg", self.reg(self.take(kind="id")[1]))

    def event(self):
        self.ids += 1
        return "P%d.e%d" % (self.t.n, self.ids)

    def lock(self, name):
        if name not in self.t.locks:
            self.fail("P%d uses %s, which is not a spinlock_t * parameter"
                      % (self.t.n, name))
        return name

    def statement(self, held):
        """One statement; held is the set of locks held before it."""
        tok = self.peek()
        code = self.t.code
        if tok[1] == "int":
            self.take()
            name = self.take(kind="id")[1]
            if name in self.t.regs or name in self.t.ints:
                self.fail("P%d declares %s twice" % (self.t.n, name))
            self.t.regs.append(name)
            self.take(";")
        elif tok[1] == "WRITE_ONCE":
            self.take()
            self.take("(")
            loc = self.loc()
            self.take(",")
            val = self.value()
            self.take(")")
            self.take(";")
            code.append(("w", loc, val, False, self.event(), tok[2]))
        elif tok[1] == "*":
            loc = self.loc()
            self.take("=")
            val = self.value()
            self.take(";")
            code.append(("w", loc, val, True, self.event(), tok[2]))
        elif tok[1] in ("spin_lock", "spin_unlock"):
            self.take()
            self.take("(")
            name = self.lock(self.take(kind="id")[1])
            self.take(")")
            self.take(";")
            if tok[1] == "spin_lock":
                if name in held:
                    self.fail("P%d takes %s while holding it"
                              % (self.t.n, name))
                held.add(name)
                code.append(("lock", name))
            else:
                if name not in held:
                    self.fail("P%d releases %s without holding it"
                              % (self.t.n, name))
                held.discard(name)
                code.append(("unlock", name))
            self.t.lock_ops += 1
        elif tok[1] == "smp_mb":
            self.take()
            self.take("(")
            self.take(")")
            self.take(";")
            code.append(("mb",))
        elif tok[1] == "if":
            self.take()
            self.take("(")
            reg = self.reg(self.take(kind="id")[1])
            self.take("==")
            val = int(self.take(kind="num")[1])
            self.take(")")
            br = ["br", reg, val, None]
            code.append(br)
            inner = set(held)
            if self.peek()[1] == "{":
                self.take("{")
                while self.peek()[1] != "}":
                    self.statement(inner)
                self.take("}")
            else:
                self.statement(inner)
            if inner != held:
                self.fail("P%d's if changes which locks are held"
                          % self.t.n)
            br[3] = len(code)
        elif tok[0] == "id" and self.peek(1)[1] == "=":
            reg = self.reg(self.take()[1])
            self.take("=")
            if self.peek()[1] == "READ_ONCE":
                self.take()
                self.take("(")
                loc = self.loc()
                self.take(")")
                plain = False
            else:
                loc = self.loc()
                plain = True
            self.take(";")
            code.append(("r", reg, loc, plain, self.event(), tok[2]))
        else:
            self.fail("P%d: unknown statement at %r" % (self.t.n, tok[1]))


def parse(path):
    text = open(path).read()
    lines = text.split("\n")
    name = os.path.basename(path)[:-len(".litmus")]
    lt = Litmus()
    lt.path, lt.name = path, name
    if not lines or lines[0] != "C " + name:
        raise LitmusError(path, 1, "the first line must be 'C %s'" % name)
    rest = text[len(lines[0]):]
    line = 1
    # The header comment and its Result: line.
    m = re.match(r"\s*\(\*(.*?)\*\)", rest, re.S)
    if not m:
        raise LitmusError(path, 2, "no header comment (* ... *)")
    res = re.findall(r"^ \* Result: (\S+)$", m.group(1), re.M)
    if len(res) != 1 or res[0] not in ("Never", "Sometimes", "Always"):
        raise LitmusError(path, 3, "the header comment needs one line"
                          " ' * Result: Never|Sometimes|Always'")
    lt.result = res[0]
    line += rest[:m.end()].count("\n")
    rest = rest[m.end():]
    # The initial state.
    m = re.match(r"\s*\{([^{}]*)\}", rest)
    if not m:
        raise LitmusError(path, line + 1, "no initial-state block { ... }")
    lt.init = {}
    init_line = line + rest[:m.start(1)].count("\n")
    for tok_line, entry in enumerate(m.group(1).split("\n")):
        for item in filter(None, (s.strip() for s in entry.split(";"))):
            im = re.fullmatch(r"([A-Za-z_]\w*)\s*=\s*(-?\d+)", item)
            if not im or im.group(1) in lt.init:
                raise LitmusError(path, init_line + tok_line,
                                  "bad initial value %r" % item)
            lt.init[im.group(1)] = int(im.group(2))
    line += rest[:m.end()].count("\n")
    rest = rest[m.end():]
    # The threads.
    lt.threads = []
    while True:
        m = re.match(r"\s*P(\d+)\(([^()]*)\)\s*\{", rest)
        if not m:
            break
        t = Thread(int(m.group(1)))
        if t.n != len(lt.threads):
            raise LitmusError(path, line + rest[:m.end()].count("\n"),
                              "thread P%d where P%d belongs"
                              % (t.n, len(lt.threads)))
        for p in filter(None, (s.strip() for s in m.group(2).split(","))):
            pm = re.fullmatch(r"(int|spinlock_t)\s*\*\s*([A-Za-z_]\w*)", p)
            if not pm:
                raise LitmusError(path, line + 1, "P%d: bad parameter %r"
                                  % (t.n, p))
            (t.ints if pm.group(1) == "int" else t.locks).add(pm.group(2))
        body_line = line + rest[:m.end()].count("\n")
        # The body ends at the brace that balances the opening one.
        depth, j = 1, m.end()
        while j < len(rest) and depth:
            depth += {"{": 1, "}": -1}.get(rest[j], 0)
            j += 1
        if depth:
            raise LitmusError(path, body_line, "P%d: unbalanced braces"
                              % t.n)
        toks = tokens(path, rest[m.end():j - 1], body_line)
        p = Parser(path, toks, t)
        held = set()
        while p.i < len(toks):
            p.statement(held)
        if held:
            raise LitmusError(path, toks[-1][2] if toks else body_line,
                              "P%d ends holding %s"
                              % (t.n, ", ".join(sorted(held))))
        lt.threads.append(t)
        line += rest[:j].count("\n")
        rest = rest[j:]
    if len(lt.threads) < 2:
        raise LitmusError(path, line + 1, "fewer than two threads P0, P1")
    # The final condition.
    m = re.match(r"\s*exists\s*\((.*)\)\s*$", rest, re.S)
    if not m:
        raise LitmusError(path, line + 1, "expected an exists (...) clause"
                          " and nothing after it")
    cond_line = line + rest[:m.start(1)].count("\n")
    lt.cond = []
    known = set(lt.init)
    for t in lt.threads:
        known |= t.ints
    for atom in m.group(1).split("/\\"):
        am = re.fullmatch(r"\s*(?:(\d+):)?([A-Za-z_]\w*)=(-?\d+)\s*", atom)
        if not am:
            raise LitmusError(path, cond_line, "bad condition %r" % atom)
        if am.group(1) is not None:
            n = int(am.group(1))
            if n >= len(lt.threads) or am.group(2) not in lt.threads[n].regs:
                raise LitmusError(path, cond_line, "%s:%s is no register"
                                  " of a thread" % (n, am.group(2)))
            lt.cond.append(((n, am.group(2)), int(am.group(3))))
        else:
            if am.group(2) not in known:
                raise LitmusError(path, cond_line, "%s is no variable of"
                                  " the test" % am.group(2))
            lt.cond.append((am.group(2), int(am.group(3))))
    for t in lt.threads:
        if t.lock_ops % 2:
            raise LitmusError(path, cond_line, "P%d: spin_lock and"
                              " spin_unlock not paired" % t.n)
    return lt


def run_sc(lt):
    """Positive and negative executions under SC, and whether a plain
    access can run beside a conflicting one."""
    nt = len(lt.threads)
    execs = {}
    race = [False]

    def settle(n, pc, regs):
        code = lt.threads[n].code
        while pc < len(code) and code[pc][0] in ("br", "mb"):
            ins = code[pc]
            if ins[0] == "br" and regs[(n, ins[1])] != ins[2]:
                pc = ins[3]
            else:
                pc += 1
        return pc

    def access(n, pc):
        code = lt.threads[n].code
        if pc < len(code) and code[pc][0] in ("r", "w"):
            return code[pc]
        return None

    def step(pcs, regs, mem, last, holder, rf, co, lk):
        for a in range(nt):
            for b in range(a + 1, nt):
                x, y = access(a, pcs[a]), access(b, pcs[b])
                if x and y and x[2 if x[0] == "r" else 1] == \
                        y[2 if y[0] == "r" else 1] and \
                        "w" in (x[0], y[0]) and (x[3] or y[3]):
                    race[0] = True
        moved = False
        for n in range(nt):
            code = lt.threads[n].code
            pc = pcs[n]
            if pc >= len(code):
                continue
            ins = code[pc]
            regs2, mem2, last2 = dict(regs), dict(mem), dict(last)
            holder2, rf2, co2, lk2 = dict(holder), dict(rf), dict(co), \
                dict(lk)
            if ins[0] == "lock":
                if holder.get(ins[1]) is not None:
                    continue
                holder2[ins[1]] = n
                lk2[ins[1]] = lk.get(ins[1], ()) + (n,)
            elif ins[0] == "unlock":
                holder2[ins[1]] = None
            elif ins[0] == "r":
                regs2[(n, ins[1])] = mem.get(ins[2], 0)
                rf2[ins[4]] = last.get(ins[2], "init")
            else:
                v = ins[2][1] if ins[2][0] == "num" else regs[(n, ins[2][1])]
                mem2[ins[1]] = v
                last2[ins[1]] = ins[4]
                co2[ins[1]] = co.get(ins[1], ()) + (ins[4],)
            pcs2 = list(pcs)
            pcs2[n] = settle(n, pc + 1, regs2)
            moved = True
            step(pcs2, regs2, mem2, last2, holder2, rf2, co2, lk2)
        if not moved:
            if any(pcs[n] < len(lt.threads[n].code) for n in range(nt)):
                raise LitmusError(lt.path, 1, "an execution deadlocks")
            key = (tuple(sorted(rf.items())), tuple(sorted(co.items())),
                   tuple(sorted(lk.items())))
            ok = all((regs[k] if isinstance(k, tuple) else mem.get(k, 0))
                     == v for k, v in lt.cond)
            execs[key] = ok

    regs = {(t.n, r): 0 for t in lt.threads for r in t.regs}
    pcs = [settle(n, 0, regs) for n in range(nt)]
    step(pcs, regs, dict(lt.init), {}, {}, {}, {}, {})
    pos = sum(1 for v in execs.values() if v)
    neg = len(execs) - pos
    kind = "Never" if pos == 0 else "Always" if neg == 0 else "Sometimes"
    return kind, pos, neg, race[0]


def show(kind, pos, neg, race):
    return "%s %d %d%s" % (kind, pos, neg, ", data race" if race else "")


OBS = re.compile(r"(Never|Sometimes|Always) (\d+) (\d+)(, data race)?")


def readme_rows():
    """litmus/README's table: file -> (row, herd7 cell, SC cell)."""
    rows = {}
    for line in open(os.path.join(LITMUS, "README")):
        m = re.match(r"\| (\([a-z0-9'-]+\)) \| `([^`]+)` \|.*\| ([^|]+) \|"
                     r" ([^|]+) \|$", line.rstrip("\n"))
        if m:
            rows[m.group(2)] = (m.group(1), m.group(3).strip(),
                                m.group(4).strip())
    return rows


def c3_section():
    text = open(os.path.join(SRC, "docs", "designs.md")).read()
    m = re.search(r"^## C3[^\n]*\n(.*?)(?=^## )", text, re.S | re.M)
    return m.group(1) if m else ""


def main(argv):
    if argv:
        status = 0
        for path in argv:
            try:
                print("%s: SC %s" % (path, show(*run_sc(parse(path)))))
            except LitmusError as e:
                print(e)
                status = 1
        return status
    n = [0]
    failed = [0]

    def check(ok, what, why=None):
        n[0] += 1
        print("%sok %d - %s" % ("" if ok else "not ", n[0], what))
        if not ok:
            failed[0] += 1
            if why:
                for w in str(why).split("\n"):
                    print("#   " + w)

    files = sorted(f for f in os.listdir(LITMUS) if f.endswith(".litmus"))
    rows = readme_rows()
    readme = open(os.path.join(LITMUS, "README")).read()
    c3 = c3_section()
    print("1..%d" % (4 + 6 * len(files)))
    check(len(files) == 9, "litmus/ holds the nine tests of the recompute"
          " walk", "found %d" % len(files))
    check(sorted(rows) == files, "litmus/README's table lists exactly the"
          " files of litmus/", "table %s, files %s" % (sorted(rows), files))
    check("herd7 -conf linux-kernel.cfg" in readme and "7.58" in readme
          and "lkmmv2" in readme, "litmus/README gives the herd7 command,"
          " version and model variant")
    check(bool(c3), "docs/designs.md has a C3 section")
    for f in files:
        path = os.path.join(LITMUS, f)
        try:
            lt = parse(path)
            err = None
        except LitmusError as e:
            lt, err = None, e
        check(lt is not None, "%s is a well-formed litmus test" % f, err)
        row = rows.get(f)
        herd = OBS.fullmatch(row[1]) if row else None
        sc_cell = OBS.fullmatch(row[2]) if row else None
        check(herd is not None and sc_cell is not None,
              "litmus/README records %s's herd7 and SC results" % f,
              row and "cells %r, %r" % (row[1], row[2]))
        check(lt is not None and herd is not None and
              herd.group(1) == lt.result,
              "%s's Result: line is the recorded herd7 result" % f,
              lt and herd and "Result: %s, README %s"
              % (lt.result, herd.group(1)))
        sc = None
        if lt is not None:
            try:
                sc = show(*run_sc(lt))
            except LitmusError as e:
                sc = str(e)
        check(sc is not None and sc_cell is not None and
              sc == sc_cell.group(0),
              "%s under SC is what litmus/README says" % f,
              "computed %r, README %r" % (sc, row and row[2]))
        # Every SC execution is one the kernel memory model allows.
        ok = herd is not None and sc_cell is not None and \
            int(herd.group(2)) >= int(sc_cell.group(2)) and \
            int(herd.group(3)) >= int(sc_cell.group(3)) and \
            bool(herd.group(4)) == bool(sc_cell.group(4))
        check(ok, "%s's recorded herd7 result covers its SC executions and"
              " flags the same data race" % f)
        cited = herd is not None and any(
            f in line and herd.group(0) in line for line in c3.split("\n"))
        check(cited, "docs/designs.md's C3 section cites %s with %s"
              % (f, herd.group(0) if herd else "its result"))
    return 1 if failed[0] else 0


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    sys.exit(main(sys.argv[1:]))
