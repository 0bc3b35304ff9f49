# SPDX-License-Identifier: MIT
#
# make            library (static and shared), the dmaown CLI
# make check      every test, under ASan+UBSan, then the pthread tests under TSan
# make demo       dmaown check over the bundled scenarios, every policy: one
#                 verdict line per scenario and policy; the table of the
#                 kernel's own bugs over every version (docs/history.md);
#                 then dmaown groups on the saved tree of the T1 desktop, and
#                 check of its exported plan (passes) and its wrong order (fails)
# make trees      the saved sysfs trees of tests/host/topo, in build/trees
# make bench      the benchmarks of bench/, one BENCH line each
# make difftest   N random programs from SEED, DPOR against the naive
#                 search, then the corpus at larger bounds than check's
# make fuzz       the libFuzzer harness of the scenario parser (clang), for
#                 FUZZ_SECONDS seconds (default 60); new inputs go to
#                 $(BUILD)/fuzz/corpus, the seeds stay as they are
# make install    PREFIX=/usr/local DESTDIR=
# make docs       the pictures docs/*.md embed, into docs/img/: one per line
#                 "SCENARIO POLICY SCHEDULE" of docs/pictures.list (dmaown
#                 replay --svg, by scripts/doc-pictures).  A page joins with
#                 one line there per picture it embeds (docs/designs.md's
#                 lines come first); make check fails when docs/img/ and
#                 the list disagree or a picture is out of date

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
SAN ?=
OPT ?= -O2

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wwrite-strings -Wvla \
	-Wformat=2 -Wundef -Wno-missing-field-initializers
CPPFLAGS += -Iinclude -Isrc -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE
CFLAGS_ALL := -std=c11 $(OPT) -g -fPIC $(WARN) $(CFLAGS)
ifneq ($(SAN),)
CFLAGS_ALL += -fsanitize=$(SAN) -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SAN)
endif
LDLIBS += -lpthread -lm

LIB_SRC := $(sort $(wildcard src/*/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_SRC := $(sort $(wildcard cli/*.c))
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(sort $(wildcard tests/*/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.t)
TEST_SH := $(sort $(wildcard tests/*/*.t))
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
# Tests that exercise real threads or processes: the TSan pass runs these.
TSAN_TESTS := $(filter $(BUILD)/tests/stress/%,$(TEST_BIN))
TSAN_SH := $(filter tests/stress/%,$(TEST_SH))

STATIC := $(BUILD)/libdmaown.a
SHARED := $(BUILD)/libdmaown.so
CLI := $(BUILD)/dmaown

.PHONY: all check test test-tsan lint demo bench difftest fuzz \
	install clean format trees FORCE
all: $(STATIC) $(SHARED) $(CLI)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(STATIC): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libdmaown.so.0 $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Where `make install` puts the corpus: the CLI looks there when it finds
# none beside its own binary.  The stamp holds the PREFIX the CLI was
# compiled for, so that changing it rebuilds the CLI.
$(CLI_OBJ): CPPFLAGS += -DDMAOWN_DATADIR='"$(PREFIX)/share/dmaown"' \
	-DDMAOWN_VERSION='"$(VERSION)"'
$(CLI_OBJ): $(BUILD)/prefix.stamp
$(BUILD)/prefix.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(PREFIX) $(VERSION)' | cmp -s - $@ || \
		echo '$(PREFIX) $(VERSION)' > $@
FORCE:

$(CLI): $(CLI_OBJ) $(STATIC)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%.t: tests/%.c $(STATIC) tests/tap.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS_ALL) -MMD -MP $(LDFLAGS) -o $@ $< \
		$(STATIC) $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -MMD -MP $(LDFLAGS) -o $@ $< \
		$(STATIC) $(LDLIBS)

# Saved sysfs trees, one per machine of tests/host/topo (scripts/mktree),
# for the host commands' tests and the demo.
TOPOS := $(sort $(wildcard tests/host/topo/*.topo))
TREES := $(BUILD)/trees/.stamp
$(TREES): scripts/mktree $(TOPOS)
	rm -rf $(BUILD)/trees
	scripts/mktree --all tests/host/topo $(BUILD)/trees
	touch $@
trees: $(TREES)

# The tests find the build through these.
export DMAOWN_BUILD = $(abspath $(BUILD))
export DMAOWN_SRC = $(abspath .)

test: all $(TEST_BIN) $(TREES) lint
	prove --exec '' $(TEST_BIN) $(TEST_SH)

test-tsan: $(TSAN_TESTS) $(CLI)
	prove --exec '' $(TSAN_TESTS) $(TSAN_SH)

check:
	$(MAKE) BUILD=build/asan SAN=address,undefined OPT=-O1 test
	$(MAKE) BUILD=build/tsan SAN=thread OPT=-O1 test-tsan

# No thread library outside the pthread backend: the explorer could not
# see it.  The parallel search's own workers (src/explore/par.c) are the
# explorer's, not the model's.
lint:
	@bad=$$(grep -nE '(^|[^_[:alnum:]])pthread_' \
		$$(find src cli -name '*.[ch]') | \
		grep -v '^src/sync/pthread\.c:' | \
		grep -v '^src/explore/par\.c:' || true); \
	if [ -n "$$bad" ]; then \
		echo "raw pthread calls outside src/sync/pthread.c:"; \
		echo "$$bad"; exit 1; fi

.PHONY: docs
docs: $(CLI)
	scripts/doc-pictures $(CLI) docs/img

demo: $(CLI) $(TREES)
	$(CLI) check --policy all --quiet scenarios/
	scripts/history-table $(CLI)
	cd $(BUILD)/trees && $(abspath $(CLI)) groups --sysfs t1-desktop/sys
	$(CLI) check --quiet scenarios/host/t1-gpu-audio.own
	$(CLI) check --quiet scenarios/host/t1-gpu-audio-unbind-first.own; \
		test $$? = 1

bench: $(BENCH_BIN) $(TREES)
	@for b in $(filter-out $(TREES),$^); do $$b || exit 1; done

# The differential tester at the size given (make check runs a few
# thousand small programs); a mismatch prints the program, shrunk.
N ?= 10000
SEED ?= 1
difftest: $(BUILD)/tests/explore/test_diff.t \
		$(BUILD)/tests/explore/test_corpus.t
	$(BUILD)/tests/explore/test_diff.t $(N) $(SEED)
	DMAOWN_SRC=$(abspath .) $(BUILD)/tests/explore/test_corpus.t 100000 2000

FUZZ_CC ?= clang
# Past the 4096-byte line limit; the harness stretches inputs that ask it
# to the 1 MiB file limit (tests/fuzz/fuzz_scenario.c).
FUZZ_MAX_LEN ?= 8192
fuzz:
	@mkdir -p $(BUILD)/fuzz/corpus
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 -g -O1 \
		-fsanitize=fuzzer,address,undefined \
		-o $(BUILD)/fuzz/fuzz_scenario tests/fuzz/fuzz_scenario.c \
		$(LIB_SRC) $(LDLIBS)
	$(BUILD)/fuzz/fuzz_scenario -max_total_time=$${FUZZ_SECONDS:-60} \
		-max_len=$(FUZZ_MAX_LEN) $(BUILD)/fuzz/corpus tests/fuzz/corpus

# rpath: for a PREFIX the dynamic linker does not search, a program adds
# $(pkg-config --variable=rpath dmaown) to its link line (libdmaown(3)).
$(BUILD)/dmaown.pc: Makefile $(BUILD)/prefix.stamp
	@mkdir -p $(dir $@)
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' \
		'includedir=$${prefix}/include' \
		'rpath=-Wl,-rpath,$${libdir}' '' 'Name: dmaown' \
		'Description: IOMMU-group DMA ownership protocol and explorer' \
		'Version: $(VERSION)' 'Libs: -L$${libdir} -ldmaown' \
		'Libs.private: -lpthread -lm' 'Cflags: -I$${includedir}' > $@

install: all $(BUILD)/dmaown.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/dmaown \
		$(DESTDIR)$(PREFIX)/share/dmaown/scenarios/history \
		$(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man3 \
		$(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/dmaown
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/libdmaown.so.0
	ln -sf libdmaown.so.0 $(DESTDIR)$(PREFIX)/lib/libdmaown.so
	install -m 644 $(BUILD)/dmaown.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	install -m 644 include/dmaown.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 include/dmaown/*.h $(DESTDIR)$(PREFIX)/include/dmaown/
	install -m 644 scenarios/*.own scenarios/README \
		$(DESTDIR)$(PREFIX)/share/dmaown/scenarios/
	install -m 644 scenarios/history/*.own \
		$(DESTDIR)$(PREFIX)/share/dmaown/scenarios/history/
	for m in doc/*.[135]; do [ -f "$$m" ] || continue; \
		s=$${m##*.}; install -m 644 $$m \
		$(DESTDIR)$(PREFIX)/share/man/man$$s/; done

format:
	clang-format -i $$(find include src cli tests bench -name '*.[ch]')

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:.t=.d) \
	$(BENCH_BIN:=.d)
