# guardrail — build, test, demo.
#
# Sources are found by wildcard: a new lib/<engine>/*.c, src/cmd_*.c,
# tests/unit/test_*.c or tests/conformance/*.c is picked up without editing
# this file. BUILD selects the output folder, so sanitizer and fuzz builds
# live beside the normal one.

BUILD    ?= build
CC       ?= cc
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
# -Werror is on for `make`, `make test` and CI; a packager may pass WERROR=
WERROR   ?= -Werror
WARN     := -Wall -Wextra $(WERROR) -Wshadow -Wno-unused-parameter
override CPPFLAGS := -Iinclude -D_GNU_SOURCE -MMD -MP $(CPPFLAGS)
LDFLAGS  ?=
STD      := -std=c11
LDLIBS   := -lyaml -lpthread -lm -lz -ldl
LIB_LDLIBS := -lyaml -lpthread -lm -lz -ldl # what libguardrail itself needs (libcurl is dlopened by lib/kube, OpenSSL by serve)
VERSION  := 0.1.0
SOMAJOR  := 0
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRC   := $(shell find lib -name '*.c' | sort)
TOOL_SRC  := $(sort $(wildcard src/*.c))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
CONF_SRC  := $(sort $(wildcard tests/conformance/*.c))
TSUP_SRC  := $(sort $(wildcard tests/support/*.c))
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TOOL_OBJ := $(TOOL_SRC:%.c=$(BUILD)/%.o)
TSUP_OBJ := $(TSUP_SRC:%.c=$(BUILD)/%.o)
LIBA     := $(BUILD)/libguardrail.a
TOOL     := $(BUILD)/guardrail
UNIT_BIN := $(UNIT_SRC:%.c=$(BUILD)/%)
CONF_BIN := $(CONF_SRC:%.c=$(BUILD)/%)
BENCH_BIN:= $(BENCH_SRC:%.c=$(BUILD)/%)

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/guardrail

.SECONDARY:

.PHONY: install uninstall dist format-check all deps test-tsan test test-unit test-sanitize demo clean format fuzz fuzz-bins bench tests-bin

all: $(TOOL)

deps:
	@scripts/install-deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CPPFLAGS) $(CFLAGS) $(WARN) $(EXTRA_CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(TOOL): $(TOOL_OBJ) $(LIBA)
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) $(LDFLAGS) -o $@ $(TOOL_OBJ) $(LIBA) $(LDLIBS) $(EXTRA_LDFLAGS)

# The program's default data directory follows PREFIX.
$(BUILD)/src/defaults.o: override CPPFLAGS += -DGUARDRAIL_DATADIR='"$(PREFIX)/share/guardrail"'

# What is installed: a shared library exporting the public API only (the
# gr_ names the headers declare; everything else is local), and a static
# library made of one relocatable object with the same globals.
PIC_OBJ  := $(LIB_SRC:%.c=$(BUILD)/pic/%.o)
SOLIB    := $(BUILD)/dist/libguardrail.so.$(VERSION)
DISTA    := $(BUILD)/dist/libguardrail.a
$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CPPFLAGS) $(CFLAGS) $(WARN) $(EXTRA_CFLAGS) -fPIC -c $< -o $@
$(BUILD)/dist/public.syms: $(LIB_OBJ) $(wildcard include/guardrail/*.h)
	@mkdir -p $(dir $@)
	scripts/public-symbols.sh $@ $(LIB_OBJ)
$(SOLIB): $(PIC_OBJ) $(BUILD)/dist/public.syms
	{ echo '{ global:'; sed 's/$$/;/' $(BUILD)/dist/public.syms; echo 'local: *; };'; } > $(BUILD)/dist/guardrail.map
	$(CC) -shared $(CFLAGS) $(LDFLAGS) -Wl,-soname,libguardrail.so.$(SOMAJOR) \
		-Wl,--version-script=$(BUILD)/dist/guardrail.map -o $@ $(PIC_OBJ) $(LIB_LDLIBS)
$(DISTA): $(LIB_OBJ) $(BUILD)/dist/public.syms
	ld -r -o $(BUILD)/dist/guardrail.o $(LIB_OBJ)
	objcopy --keep-global-symbols=$(BUILD)/dist/public.syms $(BUILD)/dist/guardrail.o
	rm -f $@ && ar rcs $@ $(BUILD)/dist/guardrail.o
.PHONY: $(BUILD)/dist/guardrail.pc # PREFIX may differ on every call
$(BUILD)/dist/guardrail.pc:
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		scripts/guardrail.pc.in > $@
dist: $(TOOL) $(SOLIB) $(DISTA) $(BUILD)/dist/guardrail.pc

$(BUILD)/tests/unit/%: tests/unit/%.c $(TSUP_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CPPFLAGS) -Itests/support $(CFLAGS) $(WARN) $(EXTRA_CFLAGS) $(LDFLAGS) -o $@ $< $(TSUP_OBJ) $(LIBA) $(LDLIBS) $(EXTRA_LDFLAGS)

$(BUILD)/tests/conformance/%: tests/conformance/%.c $(TSUP_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CPPFLAGS) -Itests/support $(CFLAGS) $(WARN) $(EXTRA_CFLAGS) $(LDFLAGS) -o $@ $< $(TSUP_OBJ) $(LIBA) $(LDLIBS) $(EXTRA_LDFLAGS)

$(BUILD)/bench/%: bench/%.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

tests-bin: $(TOOL) $(UNIT_BIN) $(CONF_BIN)

# make test: install what is missing, build, run every test (unit, data
# cases, conformance suites). The last line is "N passed, N failed".
test: deps
	@$(MAKE) --no-print-directory tests-bin
	@BUILD=$(BUILD) tests/run-all.sh

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
test-sanitize: deps
	@$(MAKE) --no-print-directory BUILD=build-san CC=clang OPT=-O1 \
		EXTRA_CFLAGS="$(SANFLAGS)" EXTRA_LDFLAGS="$(SANFLAGS)" tests-bin
	@BUILD=build-san ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 tests/run-all.sh

# The threaded check pipeline under ThreadSanitizer: the corpus and the
# examples on four threads with a cold schema cache, several times; checkers
# swapped under load (test_swap) and the pipeline's own tests.
test-tsan: deps
	@$(MAKE) --no-print-directory BUILD=build-tsan CC=clang OPT=-O1 \
		EXTRA_CFLAGS="-fsanitize=thread" EXTRA_LDFLAGS="-fsanitize=thread" build-tsan/guardrail \
		build-tsan/tests/unit/test_swap build-tsan/tests/unit/test_pipeline build-tsan/tests/unit/test_early \
		build-tsan/tests/unit/test_regex build-tsan/tests/unit/test_schema
	@BUILD=build-tsan sh tests/tsan.sh

# libFuzzer harnesses (clang). Run one: tests/fuzz/run.sh fuzz_decode 600
# A harness is relinked only when its source, a header it includes or the
# library changed: tests/fuzz/run.sh calls `make fuzz` before every run, so an
# up-to-date build must write nothing (it relinked all 21 harnesses, ~8 s,
# each time, and .ci/run's two runs at a time could rewrite a binary while
# the other was about to start it).
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build-fuzz/tests/fuzz/%,$(FUZZ_SRC))

fuzz: deps
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT=-O1 \
		EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined" build-fuzz/libguardrail.a
	@$(MAKE) --no-print-directory fuzz-bins

fuzz-bins: $(FUZZ_BIN)

build-fuzz/tests/fuzz/%: tests/fuzz/%.c build-fuzz/libguardrail.a
	@mkdir -p $(@D)
	@echo "  FUZZ $*"
	@clang $(STD) $(CPPFLAGS) -MMD -MP -MF $@.d -MT $@ -O1 -g -fsanitize=fuzzer,address,undefined \
		$(WARN) -o $@.tmp $< build-fuzz/libguardrail.a $(LDLIBS) && mv -f $@.tmp $@

-include $(wildcard build-fuzz/tests/fuzz/*.d)

bench: $(TOOL) $(BENCH_BIN)
	@scripts/install-deps.sh bench

demo: deps
	@$(MAKE) --no-print-directory $(TOOL)
	@echo "== guardrail check examples/"
	-@$(TOOL) check examples/; echo "(exit code $$?)"

# make install [PREFIX=/usr/local] [DESTDIR=staging]: the program, the
# shared library (with its soname) and the static one, the headers,
# guardrail.pc, the man page, and the Kubernetes schemas the build was
# tested with (../shared/k8s-openapi) under share/guardrail, where the
# program looks by default. make uninstall removes exactly that.
INSTALL_FILES = $(BINDIR)/guardrail $(LIBDIR)/libguardrail.so.$(VERSION) $(LIBDIR)/libguardrail.so.$(SOMAJOR) \
	$(LIBDIR)/libguardrail.so $(LIBDIR)/libguardrail.a $(LIBDIR)/pkgconfig/guardrail.pc \
	$(MANDIR)/man1/guardrail.1 $(addprefix $(INCDIR)/guardrail/,$(notdir $(wildcard include/guardrail/*.h)))
install: dist
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)/guardrail $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(TOOL) $(DESTDIR)$(BINDIR)/guardrail
	install -m 755 $(SOLIB) $(DESTDIR)$(LIBDIR)/libguardrail.so.$(VERSION)
	ln -sf libguardrail.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libguardrail.so.$(SOMAJOR)
	ln -sf libguardrail.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libguardrail.so
	install -m 644 $(DISTA) $(DESTDIR)$(LIBDIR)/libguardrail.a
	install -m 644 $(BUILD)/dist/guardrail.pc $(DESTDIR)$(LIBDIR)/pkgconfig/guardrail.pc
	install -m 644 include/guardrail/*.h $(DESTDIR)$(INCDIR)/guardrail/
	install -m 644 docs/guardrail.1 $(DESTDIR)$(MANDIR)/man1/guardrail.1
	if [ -d ../shared/k8s-openapi ]; then \
		install -d $(DESTDIR)$(DATADIR) && rm -rf $(DESTDIR)$(DATADIR)/k8s-openapi && \
		cp -r ../shared/k8s-openapi $(DESTDIR)$(DATADIR)/ && \
		chmod -R u+w,a+rX $(DESTDIR)$(DATADIR); fi

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALL_FILES))
	rm -rf $(DESTDIR)$(DATADIR)
	-rmdir $(DESTDIR)$(INCDIR)/guardrail 2>/dev/null

# Formatting: make format applies .clang-format; make format-check (CI)
# fails on any file that differs, except those .clang-format-ignore lists.
format-check:
	@files=$$(find include lib src tests bench -name '*.[ch]' | sort | grep -vxF -f .clang-format-ignore); \
	clang-format --dry-run --Werror $$files && echo "format-check: $$(echo "$$files" | wc -l) files formatted"

format:
	clang-format -i $$(find include lib src tests bench -name '*.[ch]')

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
