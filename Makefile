# misroute — one plain Makefile. `make` builds build/misroute; `make test` builds everything
# with ASan and UBSan (SAN=1) and runs the whole suite; `make deps` installs what is missing.

PKGS     := libpcap libndpi jansson libmaxminddb zlib libgcrypt libpsl libidn2 hiredis
CC       ?= cc
OPT      ?= -O2
CFLAGS   ?= -g
CFLAGS   += $(OPT) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes \
            -Wformat=2 -Wno-format-nonliteral -fno-strict-aliasing -I. -MMD -MP
LDLIBS   += -lm
CFLAGS   += -pthread
LDFLAGS  += -pthread
PREFIX   ?= /usr/local
CFLAGS   += -DMISROUTE_DATADIR='"$(PREFIX)/share/misroute"'

ifeq ($(CI),true)
CFLAGS   += -Werror
endif

# SAN=1: AddressSanitizer + UndefinedBehaviorSanitizer, in a build folder of its own.
# SAN=fuzz: the same with libFuzzer's coverage (clang), for `make fuzz`.
ifeq ($(SAN),1)
BUILD    := build/san
CFLAGS   += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS  += -fsanitize=address,undefined
else ifeq ($(SAN),fuzz)
BUILD    := build/fuzz
CC       := clang
CFLAGS   += -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=fuzzer,address,undefined
else
BUILD    := build
endif

# The release build (build/), by gcc, is optimised across misroute's files at link time (LTO)
# and, with PGO=1 (the default), profile-guided: build/pgo/ holds an instrumented build, it
# replays the project's own captures (the samples and the golden ones), and build/'s objects
# are compiled from what it counted: hot paths laid out straight, their branches and inlining
# chosen by the counts. Code the replays never ran is optimised as usual
# (-fprofile-partial-training). On the bench capture, which is not among them: 6% fewer
# instructions from PGO, 3% more from LTO with it (LTO alone gained nothing). PGO=0 (after
# `make clean`) skips the training; the sanitizer and fuzz builds are plain.
PGO      ?= 1
PGO_DIR  := build/pgo
TRAIN_PCAPS := $(sort $(wildcard samples/*.pcap tests/golden/*.pcap tests/golden/*/*.pcap))
ifeq ($(BUILD),build)
# -O3 unless OPT is given: on the bench capture 6.2% fewer instructions than -O2 for
# --log-events (2.080 G -> 1.951 G), 7.5% for incidents only, and 20 paired timings put it at
# 0.895 of -O2's time, for a binary 18% larger. The sanitizer builds stay at -O2; memcheck
# (tests/valgrind.sh) runs this build.
ifeq ($(origin OPT),file)
OPT      := -O3
endif
ifeq ($(findstring clang,$(shell $(CC) --version 2>/dev/null)),)
LTO      := -flto=auto
AR       := gcc-ar
LDFLAGS  += $(LTO)
ifeq ($(PGO),1)
PGO_USE  := -fprofile-use -fprofile-partial-training
endif
endif
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

MODULES  := core capture flow dissectors rules detect enrich output engine
LIB_SRCS := $(foreach m,$(MODULES),$(wildcard $(m)/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BINS := $(BUILD)/bench/floor $(BUILD)/bench/rules_bench $(BUILD)/bench/geo_bench
FUZZ_NAMES := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60

.PHONY: geoip all test unit unit-bins deps bench clean sample fuzz fuzz-bins install valgrind floods
all: $(BUILD)/misroute

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

# misroute's own objects, with LTO and PGO where set (the bench's are not: the floor stays a
# plain -O2 build).
$(BUILD)/main.o $(LIB_OBJS): $(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LTO) $(PGO_USE) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/libmisroute.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/misroute: $(BUILD)/main.o $(BUILD)/libmisroute.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

ifdef PGO_USE
PGO_OBJS := $(patsubst $(BUILD)/%,$(PGO_DIR)/%,$(BUILD)/main.o $(LIB_OBJS))

# gcc names a file's static functions in its profile after the object's name, so each
# instrumented object is named (-dumpbase) after the build/ object it trains; its counts go
# to that object's .gcda, where the second compile reads them.
$(PGO_DIR)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LTO) -fprofile-generate -fprofile-update=single -dumpbase $(BUILD)/$*.o \
		-dumpbase-ext .o $(PKG_CFLAGS) -c $< -o $@

$(PGO_DIR)/misroute: $(PGO_OBJS)
	$(CC) $(LDFLAGS) -fprofile-generate -o $@ $^ $(PKG_LIBS) $(LDLIBS)

# Counts from these replays alone, without a GeoIP database like the tests, all in one process:
# one per capture counted dozens of start-ups (nDPI's 98,000 allocations each) against a few
# thousand packets, and the packet path came out cold. On the bench capture one process gave
# 6.7% fewer instructions for --log-events, 7.3% fewer for incidents only.
$(PGO_DIR)/trained: $(PGO_DIR)/misroute $(TRAIN_PCAPS)
	@find $(BUILD) -name '*.gcda' -delete
	@MISROUTE_GEOIP_DIR=/nonexistent $(PGO_DIR)/misroute --log-events -o /dev/null \
		$(addprefix -r ,$(TRAIN_PCAPS)) >/dev/null 2>$(PGO_DIR)/train.log || \
		{ echo "pgo: the training replay failed: see $(PGO_DIR)/train.log" >&2; exit 1; }
	@touch $@

$(BUILD)/main.o $(LIB_OBJS): $(PGO_DIR)/trained
endif

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/libmisroute.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(BUILD)/libmisroute.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

# Fuzz targets: linked with replay.c (every corpus file once) for the test suite, or with
# libFuzzer itself under SAN=fuzz.
ifeq ($(SAN),fuzz)
$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/fuzz_%.o $(BUILD)/libmisroute.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)
else
$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/fuzz_%.o $(BUILD)/fuzz/replay.o $(BUILD)/libmisroute.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)
endif

# fuzz_packet builds nDPI's module once for all its inputs (see fuzz/fuzz_packet.c).
$(BUILD)/fuzz/fuzz_packet: LDFLAGS += -Wl,--wrap=dpi_new,--wrap=dpi_free

fuzz-bins: $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)

# Runs every libFuzzer target for FUZZ_SECONDS; new inputs go to build/fuzz/corpus/NAME, the
# committed seeds in fuzz/corpus/NAME are read only. Crashes land in build/fuzz/.
# The shared captures are not ours to commit: when they are here, the targets also start from
# them, cut into build/fuzz/seeds/NAME (read only too) — fuzz_packet from the first packets of
# each, the dissector targets from the messages, streams and datagrams in them.
MISROUTE_SHARED ?= ../shared
fuzz:
	$(MAKE) SAN=fuzz fuzz-bins
	@rm -rf build/fuzz/seeds
	@if [ -d $(MISROUTE_SHARED)/pcaps ]; then \
		caps=$$(find $(MISROUTE_SHARED)/pcaps -name '*.pcap' -o -name '*.pcapng' | sort); \
		fuzz/seed_packet.sh 50 build/fuzz/seeds/packet $$caps; \
		python3 fuzz/seed_shared.py build/fuzz/seeds $$caps; \
	fi
	@for t in $(FUZZ_NAMES); do \
		mkdir -p build/fuzz/corpus/$$t; \
		seeds=fuzz/corpus/$$t; \
		[ -d build/fuzz/seeds/$$t ] && seeds="$$seeds build/fuzz/seeds/$$t"; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		build/fuzz/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=build/fuzz/$$t- build/fuzz/corpus/$$t $$seeds || exit 1; \
	done

# The whole suite, under sanitizers: unit tests, golden captures, the shared corpus; and
# memcheck on a plain build (valgrind and the sanitizers do not mix).
test: deps
	$(MAKE) SAN=1 $(if $(CI),CI=$(CI)) build/san/misroute unit-bins
	$(MAKE) SAN= $(if $(CI),CI=$(CI)) build/misroute
	tests/run.sh build/san

# memcheck alone: the golden captures, the samples and the malformed suite.
valgrind:
	tests/valgrind.sh

unit-bins: $(TEST_BINS) fuzz-bins

# Unit tests alone, without the pipeline tests.
unit: 
	$(MAKE) SAN=1 unit-bins
	@for t in $(TEST_SRCS:tests/unit/%.c=build/san/tests/%); do $$t || exit 1; done

bench: all $(BENCH_BINS)
	python3 bench/bench.py $(BUILD)
	python3 bench/floods.py $(BUILD)

# The floods of issue 9 at full scale (about a minute): a million SYNs, a million DNS queries,
# a 1 GiB stream, 100,000 autodiscover lookups; memory, evictions, the planted incident.
floods: all
	python3 bench/floods.py $(BUILD)

deps:
	@tools/deps.sh

# The README's first command: build, then replay the bundled samples.
sample: deps
	$(MAKE) all
	@for f in samples/example-com-autodetect.pcap samples/example-com-autodetect-decrypted.pcap \
		samples/benign.pcap; do \
		echo "== $$f: incidents"; $(BUILD)/misroute -r $$f | grep '"kind":"alert"' || echo "(none)"; \
	done

# Freely licensed geo and ASN databases from the npm registry into /usr/share/GeoIP (where
# misroute looks by default); GEOIP_DIR=... puts them elsewhere.
GEOIP_DIR ?= /usr/share/GeoIP
geoip:
	@command -v npm >/dev/null || apt-get install -y -qq npm
	@perl -MMaxMind::DB::Writer::Tree -MNet::Works::Network -e 1 2>/dev/null || \
		apt-get install -y -qq libmaxmind-db-writer-perl libnet-works-perl
	sh tools/geoip.sh $(GEOIP_DIR)

install: all
	install -D -m 755 $(BUILD)/misroute $(DESTDIR)$(PREFIX)/bin/misroute
	install -D -m 644 rules/default.rules $(DESTDIR)$(PREFIX)/share/misroute/default.rules
	install -D -m 644 misroute.1 $(DESTDIR)$(PREFIX)/share/man/man1/misroute.1
	install -D -m 644 systemd/misroute.service $(DESTDIR)$(PREFIX)/lib/systemd/system/misroute.service

clean:
	rm -rf build

-include $(shell find $(sort build $(BUILD)) -name '*.d' 2>/dev/null)
