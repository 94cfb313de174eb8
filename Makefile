# intake - build, test, install.
#
#   make            bin/intaked, bin/intakectl
#   make check      every test, plain and then under ASan+UBSan
#   make fuzz       libFuzzer targets (clang), FUZZ_SECONDS each
#   make demo       ingest examples/ into a scratch state dir and print it
#   make install    PREFIX=/usr/local DESTDIR= sysconfdir=/etc (README "Install as a service")
#   make uninstall  the same variables; leaves the admin's config and the state

CC       ?= cc
PKG_CONFIG ?= pkg-config
BUILD    ?= build
SAN      ?=

PKGS     := libarchive libmagic sqlite3 jansson inih nettle gnutls libsystemd libseccomp xlsxwriter \
            libxml-2.0 libgsf-1 tesseract lept
# Document text (parsers/textract.c): Debian ships MuPDF only as static
# archives (libmupdf.a, libmupdf-third.a); its .pc lists the private
# libraries that go with them, so it is linked with --static.  Only the
# PDF handler is used (pdf_open_document_with_stream), which keeps
# harfbuzz and the HTML/EPUB code out of the link.  Fallback when
# pkg-config has no mupdf.pc: the line below, spelled out.
MUPDF_LIBS := $(or $(shell $(PKG_CONFIG) --static --libs mupdf 2>/dev/null),\
              -lmupdf -lmupdf-third -lmujs -lgumbo -lopenjp2 -ljbig2dec -ljpeg -lfreetype -lpng16 -lz -lm -lbrotlidec)
# libetpan's .pc adds -specs=/usr/share/dpkg/no-pie-link.specs, which needs
# libdpkg-perl and silently makes the binary non-PIE: link it by hand.
ETPAN_LIBS := -letpan

WARN     := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wcast-qual \
            -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Wvla \
            -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -Iparsers -Ispool -Idaemon -Itests
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c17 $(WARN) -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE \
            $(shell $(PKG_CONFIG) --cflags $(PKGS))
LDFLAGS  += -pie -Wl,-z,relro -Wl,-z,now
LDLIBS   += $(ETPAN_LIBS) $(shell $(PKG_CONFIG) --libs $(PKGS)) $(MUPDF_LIBS)

ifeq ($(SAN),1)
CFLAGS   := $(filter-out -D_FORTIFY_SOURCE=2,$(CFLAGS)) -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

PARSERS_SRC := $(wildcard parsers/*.c)
SPOOL_SRC   := $(wildcard spool/*.c)
DAEMON_SRC  := $(filter-out daemon/intaked.c daemon/intakectl.c,$(wildcard daemon/*.c))
LIB_SRC     := $(PARSERS_SRC) $(SPOOL_SRC) $(DAEMON_SRC)
LIB_OBJ     := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC    := $(wildcard tests/test_*.c)
TEST_HELPERS := $(filter-out $(TEST_SRC),$(wildcard tests/*.c))
TEST_HELPER_OBJ := $(TEST_HELPERS:%.c=$(BUILD)/%.o)
TEST_BIN    := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

BINDIR_OUT  := $(if $(filter build,$(BUILD)),bin,$(BUILD)/bin)

.SECONDARY:
.PHONY: all check test-build test-run check-plain check-san check-fuzz layering fuzz demo clean install uninstall bench bench-content check-units
all: $(BINDIR_OUT)/intaked $(BINDIR_OUT)/intakectl

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libintake.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BINDIR_OUT)/%: $(BUILD)/daemon/%.o $(BUILD)/libintake.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_HELPER_OBJ) $(BUILD)/libintake.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka)

# Tests run from the project root; they find ../shared/corpora and examples/
# by relative path.  tests/run.sh runs TEST_JOBS programs at a time (one per
# core), the longest first so that the lanes end together, prints each
# program's output whole when it ends and sums cmocka's counts into one
# closing line per build ("plain: N passed, M failed").
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# Longest first, by the times tests/run.sh prints ("== PROGRAM (N s)") in
# make check on the 2-core machine; the others follow in name order.
TEST_FIRST_PLAIN := test_content test_crash test_imap test_ingest test_unpack test_corpora \
                    test_hostile test_health test_worker test_diskfull test_report \
                    test_textract test_smtp test_reportmail
TEST_FIRST_SAN   := test_corpora test_imap test_unpack test_hostile test_ingest test_crash \
                    test_content test_health test_worker test_reportmail test_textract \
                    test_staff test_diskfull test_examples test_mime test_smtp test_report
TEST_FIRST  = $(if $(SAN),$(TEST_FIRST_SAN),$(TEST_FIRST_PLAIN))
TEST_ORDER  = $(foreach t,$(TEST_FIRST),$(filter $(BUILD)/tests/$(t),$(TEST_BIN))) \
              $(filter-out $(TEST_FIRST:%=$(BUILD)/tests/%),$(TEST_BIN))
# Under ASan the parse child has no RLIMIT_AS (daemon/worker.c: the shadow
# memory needs terabytes of address space).  ASan's own cap on one
# allocation stands in for it, as in make fuzz: an input that makes
# libarchive ask for gigabytes fails that allocation, as it does under the
# product's limit, instead of being served (tens of seconds, 6 GB).
SAN_ENV     = ASAN_OPTIONS=max_allocation_size_mb=512:allocator_may_return_null=1$${ASAN_OPTIONS:+:$$ASAN_OPTIONS}
test-build: all $(TEST_BIN)
test-run: test-build
	@tmp=$${INTAKE_TEST_TMPDIR:-$$( [ -w /dev/shm ] && echo /dev/shm || echo /tmp )}; \
	$(if $(SAN),$(SAN_ENV)) sh tests/run.sh $(if $(SAN),sanitizers,plain) $(TEST_JOBS) \
	  $(BINDIR_OUT) "$$tmp" $(TEST_ORDER)

# parsers/ includes nothing of spool/ or daemon/; spool/ nothing of daemon/.
layering:
	@! grep -nE '#include "(spool|ledger|worker|ingest|config|app|query)\.h"' parsers/*.[ch] || { echo "layering: parsers/ must not include spool/ or daemon/"; exit 1; }
	@! grep -nE '#include "(worker|ingest|config|app|query)\.h"' spool/*.[ch] || { echo "layering: spool/ must not include daemon/"; exit 1; }

# Each build compiles TEST_JOBS files at a time, then runs its tests.
check-plain: layering
	$(MAKE) -j$(TEST_JOBS) test-build BUILD=build
	$(MAKE) test-run BUILD=build
check-san:
	$(MAKE) -j$(TEST_JOBS) test-build BUILD=build-san SAN=1
	$(MAKE) test-run BUILD=build-san SAN=1
# Plain first, then sanitizers; one after the other so the output reads in order.
check:
	$(MAKE) check-plain
	$(MAKE) check-san
	$(MAKE) check-fuzz

# ---- fuzzing (clang/libFuzzer) ----
# Parser objects are built once with the fuzzer's instrumentation and
# linked into each target.  Seeds: tests/fuzz/seeds/<target>, plus the
# shipped examples and ../shared/corpora where they fit the target.
FUZZ_SECONDS ?= 60
CHECK_FUZZ_SECONDS ?= 10
CORPORA  ?= ../shared/corpora
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_OBJ := $(PARSERS_SRC:%.c=build-fuzz/%.o)
FUZZ_CFLAGS := -std=c17 -g -O1 -D_GNU_SOURCE -Iparsers -fsanitize=fuzzer-no-link,address,undefined $(shell $(PKG_CONFIG) --cflags $(PKGS))
seeds_fuzz_mime    := examples $(CORPORA)/mime
seeds_fuzz_names   :=
seeds_fuzz_unpack  := $(CORPORA)/archives
seeds_fuzz_sniff   := $(CORPORA)/archives
seeds_fuzz_classify :=
seeds_fuzz_textract :=
build-fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c -o $@ $<
build-fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(ETPAN_LIBS) $(shell $(PKG_CONFIG) --libs $(PKGS)) $(MUPDF_LIBS)
# FUZZ_JOBS targets at a time (each runs FUZZ_SECONDS of wall time, so
# this divides the stage's time); each target's lines print when it ends.
FUZZ_JOBS ?= $(TEST_JOBS)
fuzz: $(FUZZ_BIN)
	@$(MAKE) --no-print-directory -j$(FUZZ_JOBS) -Otarget $(FUZZ_BIN:build-fuzz/%=fuzz-run-%)
fuzz-run-%: build-fuzz/%
	@n=$*; f=build-fuzz/$*; mkdir -p build-fuzz/corpus/$$n; \
	  seeds=; for d in tests/fuzz/seeds/$$n $$(case $$n in \
	    fuzz_mime) echo "$(seeds_fuzz_mime)";; fuzz_unpack) echo "$(seeds_fuzz_unpack)";; \
	    fuzz_sniff) echo "$(seeds_fuzz_sniff)";; esac); do [ -d $$d ] && seeds="$$seeds $$d"; done; \
	  dict=tests/fuzz/$$n.dict; [ -f $$dict ] && dictopt=-dict=$$dict || dictopt=; \
	  echo "== $$n ($(FUZZ_SECONDS) s; seeds:$$seeds)"; \
	  if ASAN_OPTIONS=allocator_may_return_null=1:max_allocation_size_mb=512 \
	     $$f $$dictopt -max_total_time=$(FUZZ_SECONDS) -max_len=524288 -rss_limit_mb=1024 -timeout=20 \
	       -print_final_stats=1 -artifact_prefix=build-fuzz/$$n- build-fuzz/corpus/$$n $$seeds \
	       > build-fuzz/$$n.log 2>&1; then \
	    sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/   \1 executions in \2 s/p' build-fuzz/$$n.log; \
	    sed -n 's/^stat::peak_rss_mb: *\([0-9]*\)/   peak RSS \1 MB/p' build-fuzz/$$n.log; \
	  else \
	    tail -40 build-fuzz/$$n.log; echo "fuzz: $$n found a failure (artifact build-fuzz/$$n-*)"; exit 1; \
	  fi
# make check runs every target briefly (built FUZZ_JOBS files at a time).
check-fuzz:
	$(MAKE) -j$(FUZZ_JOBS) $(FUZZ_BIN)
	$(MAKE) fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS)

demo: all
	sh examples/run-demo.sh

# ---- install ----
# intaked is a system daemon (sbin), intakectl a tool for staff (bin).  The
# systemd directories come from systemd's pkg-config file when there is
# one; they do not follow PREFIX (systemd reads only its own).
PREFIX      ?= /usr/local
bindir      ?= $(PREFIX)/bin
sbindir     ?= $(PREFIX)/sbin
datadir     ?= $(PREFIX)/share
mandir      ?= $(datadir)/man
sysconfdir  ?= /etc
systemd_var = $(shell $(PKG_CONFIG) --variable=$(1) systemd 2>/dev/null)
unitdir     ?= $(or $(call systemd_var,systemdsystemunitdir),/lib/systemd/system)
sysusersdir ?= $(or $(call systemd_var,sysusersdir),/usr/lib/sysusers.d)
tmpfilesdir ?= $(or $(call systemd_var,tmpfilesdir),/usr/lib/tmpfiles.d)

UNITS     := intaked.service intake-report.service intake-report.timer
MANPAGES  := docs/intakectl.1 docs/intake.conf.5 docs/intake-campaign.5 docs/intaked.8
CAMPAIGNS := $(wildcard campaigns/*.conf)
# Each campaign's reply templates live in a directory named after it.
CAMPAIGN_FILES := $(wildcard $(CAMPAIGNS:%.conf=%/*))
SUBST     = sed -e 's|@BINDIR@|$(bindir)|g' -e 's|@SBINDIR@|$(sbindir)|g' \
                -e 's|@SYSCONFDIR@|$(sysconfdir)|g' -e 's|@DATADIR@|$(datadir)|g'

# Generated every time: the paths are make variables, not file contents.
.PHONY: install-gen
install-gen:
	@mkdir -p $(BUILD)/install
	@for f in intaked.service intake-report.service intake.conf; do \
	  $(SUBST) systemd/$$f.in > $(BUILD)/install/$$f || exit 1; done
	@cp systemd/intake-report.timer $(BUILD)/install/

install: all install-gen
	install -d -m 0755 $(DESTDIR)$(bindir) $(DESTDIR)$(sbindir) $(DESTDIR)$(unitdir) \
	  $(DESTDIR)$(sysusersdir) $(DESTDIR)$(tmpfilesdir) $(DESTDIR)$(sysconfdir)/intake \
	  $(DESTDIR)$(datadir)/intake/campaigns $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(mandir)/man5 \
	  $(DESTDIR)$(mandir)/man8
	install -m 0755 $(BINDIR_OUT)/intaked $(DESTDIR)$(sbindir)/intaked
	install -m 0755 $(BINDIR_OUT)/intakectl $(DESTDIR)$(bindir)/intakectl
	for u in $(UNITS); do install -m 0644 $(BUILD)/install/$$u $(DESTDIR)$(unitdir)/$$u || exit 1; done
	install -m 0644 systemd/intake.sysusers $(DESTDIR)$(sysusersdir)/intake.conf
	install -m 0644 systemd/intake.tmpfiles $(DESTDIR)$(tmpfilesdir)/intake.conf
	install -m 0644 $(BUILD)/install/intake.conf $(DESTDIR)$(sysconfdir)/intake/intake.conf.example
	install -m 0644 $(CAMPAIGNS) $(DESTDIR)$(datadir)/intake/campaigns/
	for f in $(CAMPAIGN_FILES); do d=$$(dirname $$f); \
	  install -d -m 0755 $(DESTDIR)$(datadir)/intake/$$d && \
	  install -m 0644 $$f $(DESTDIR)$(datadir)/intake/$$d/ || exit 1; done
	for m in $(MANPAGES); do s=$${m##*.}; \
	  install -m 0644 $$m $(DESTDIR)$(mandir)/man$$s/ || exit 1; done

# After "make install DESTDIR=...": systemd-analyze verify and the offline
# security rating (at most 1.5) of the installed units (systemd/check-units.sh).
check-units:
	sh systemd/check-units.sh '$(DESTDIR)' '$(unitdir)' '$(mandir)'

# What install put there, and the directories that are ours alone when
# empty: the admin's intake.conf and password files keep $(sysconfdir)/intake.
uninstall:
	rm -f $(DESTDIR)$(sbindir)/intaked $(DESTDIR)$(bindir)/intakectl \
	  $(UNITS:%=$(DESTDIR)$(unitdir)/%) $(DESTDIR)$(sysusersdir)/intake.conf \
	  $(DESTDIR)$(tmpfilesdir)/intake.conf $(DESTDIR)$(sysconfdir)/intake/intake.conf.example \
	  $(CAMPAIGNS:campaigns/%=$(DESTDIR)$(datadir)/intake/campaigns/%) \
	  $(CAMPAIGN_FILES:%=$(DESTDIR)$(datadir)/intake/%)
	-rmdir $(sort $(dir $(CAMPAIGN_FILES:%=$(DESTDIR)$(datadir)/intake/%))) 2>/dev/null
	for m in $(MANPAGES); do s=$${m##*.}; rm -f $(DESTDIR)$(mandir)/man$$s/$${m##*/}; done
	-rmdir $(DESTDIR)$(datadir)/intake/campaigns $(DESTDIR)$(datadir)/intake \
	  $(DESTDIR)$(sysconfdir)/intake 2>/dev/null

clean:
	rm -rf build build-san build-fuzz bin

# Every object's header dependencies (the two main()s and test helpers too).
-include $(wildcard $(BUILD)/*/*.d)

# For helpers and editors: the flags a single file is built with.
flags:
	@echo "CPPFLAGS=$(CPPFLAGS)"; echo "CFLAGS=$(CFLAGS)"; echo "LDLIBS=$(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka)"

# ---- benchmark (never part of make check) ----
# Generates the corpora under BENCH_DIR (a real disk, not tmpfs), runs intake
# and the standard tools interleaved and writes bench/RESULTS.md.
#   make bench BENCH_SCALE=0.1 BENCH_PAIRS=1 BENCH_BIG_MB=20   a quick run
BENCH_DIR   ?= /var/tmp/intake-bench
BENCH_SCALE ?= 1
BENCH_PAIRS ?= 3
BENCH_IMAP  ?= 1
BENCH_BIG_MB ?= 150
bench: all
	BENCH_DIR=$(BENCH_DIR) BENCH_SCALE=$(BENCH_SCALE) BENCH_PAIRS=$(BENCH_PAIRS) \
	BENCH_IMAP=$(BENCH_IMAP) BENCH_BIG_MB=$(BENCH_BIG_MB) /usr/bin/python3 bench/run.py
	$(MAKE) bench-content
# Text extraction and classification by content, per file kind, over
# tests/content/: writes bench/RESULTS-content.md.
bench-content: all
	BENCH_DIR=$(BENCH_DIR) /usr/bin/python3 bench/content.py
