# tidings - plain GNU Makefile; libraries found with pkg-config.
#
#   make                 build ./tidings
#   make run             install missing packages, build, start with samples
#   make test            every test (unit, regression cases, integration)
#   make SAN=address,undefined test   the same under ASan+UBSan (CI does)
#   make fuzz            build the libFuzzer targets and run each briefly
#   make bench           benchmarks (print numbers)

CC      ?= cc
PKGS    := libcurl expat gumbo sqlite3 libmicrohttpd jansson zlib libutf8proc libxxhash
SAN     ?=
WERROR  ?=
OPT     ?= -O2

CFLAGS_BASE := -std=gnu11 -g $(OPT) -Wall -Wextra -Wshadow -Wformat=2 \
	-Wno-unused-parameter -Wno-missing-field-initializers \
	-D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE -Isrc
ifneq ($(WERROR),)
CFLAGS_BASE += -Werror
endif
ifneq ($(SAN),)
CFLAGS_BASE += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS     += -fsanitize=$(SAN)
BUILD       := build/san
else
BUILD       := build/rel
endif

# Start-up time matters: `tidings parse` runs once per feed in pipelines.
# The small libraries are linked statically (each shared library costs
# loader time at every start); libcurl and libmicrohttpd, which drag in
# TLS stacks with costly constructors, are loaded with dlopen when a
# command first fetches or serves (see src/fetch/curl_dl.h). STATIC=0
# links everything dynamically.
STATIC     ?= 1
LINK_PKGS  := expat gumbo sqlite3 jansson zlib libutf8proc libxxhash
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LINK_LIBS  := $(shell pkg-config --libs $(LINK_PKGS) 2>/dev/null) -lstemmer
override CFLAGS := $(CFLAGS_BASE) $(PKG_CFLAGS) $(CFLAGS)
ifeq ($(STATIC),1)
LDLIBS     += -Wl,-Bstatic $(LINK_LIBS) -Wl,-Bdynamic -lm -lpthread -ldl
else
LDLIBS     += $(LINK_LIBS) -lm -lpthread -ldl
endif

LIB_SRC  := $(sort $(wildcard src/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/src/main.o
LIB      := $(BUILD)/libtidings.a
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
GEN_SRC  := $(BUILD)/gen/assets.c

# Embedded theme (templates/ and static/), generated into a C file.
ASSETS := $(sort $(wildcard templates/* static/*))

.PHONY: all run test unit cases integration e2e fuzz fuzz-build bench clean deps check-deps

all: tidings

# The binary is relinked whenever the build flavour changes.
$(BUILD)/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS) $(LDFLAGS)' | cmp -s - $@ || echo '$(CC) $(CFLAGS) $(LDFLAGS)' > $@
FORCE:

$(BUILD)/%.o: %.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(GEN_SRC): $(ASSETS) scripts/embed.sh
	@mkdir -p $(@D)
	sh scripts/embed.sh $(ASSETS) > $@

$(BUILD)/gen/assets.o: $(GEN_SRC) $(BUILD)/.flags
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ) $(BUILD)/gen/assets.o
	@rm -f $@
	ar rcs $@ $^

tidings: $(MAIN_OBJ) $(LIB) $(BUILD)/.flags
	$(CC) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(LIB) $(LDLIBS)

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)

# ---- tests ----------------------------------------------------------------

$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< $(LIB) \
		$(LDFLAGS) $(LDLIBS) $(shell pkg-config --libs cmocka)

check-deps:
	@sh scripts/deps

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

cases: tidings
	@sh tests/cases/run.sh ./tidings

integration: tidings
	@node --test --test-concurrency=1 tests/integration/

e2e: tidings
	@if [ -n "$$(ls tests/e2e/*.test.mjs 2>/dev/null)" ]; then \
		node --test --test-concurrency=1 tests/e2e/; fi

test: check-deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory cases
	@$(MAKE) --no-print-directory integration
	@$(MAKE) --no-print-directory e2e

run: check-deps
	@$(MAKE) --no-print-directory all
	@sh scripts/run.sh

# ---- fuzzing --------------------------------------------------------------

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_SRC     := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BIN     := $(FUZZ_SRC:fuzz/%.c=build/fuzz/%)
FUZZ_OBJ     := $(LIB_SRC:%.c=build/fuzz/%.o) build/fuzz/gen/assets.o
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -Isrc -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE $(PKG_CFLAGS) \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all

build/fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

build/fuzz/gen/assets.o: $(GEN_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

build/fuzz/libtidings.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/fuzz/fuzz_%: fuzz/fuzz_%.c build/fuzz/libtidings.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< build/fuzz/libtidings.a $(LDLIBS)

-include $(FUZZ_OBJ:.o=.d)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@sh fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

# ---- benchmarks -----------------------------------------------------------

bench: check-deps
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh

clean:
	rm -rf build tidings
