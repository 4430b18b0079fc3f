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
WARN     := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CPPFLAGS := -Iinclude -D_GNU_SOURCE -MMD -MP
STD      := -std=c11
LDLIBS   := -lyaml -lcurl -lssl -lcrypto -lz -lpthread -lm
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

.SECONDARY:

.PHONY: install all deps test-tsan test test-unit test-sanitize demo clean format fuzz bench tests-bin

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
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -o $@ $(TOOL_OBJ) $(LIBA) $(LDLIBS) $(EXTRA_LDFLAGS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(TSUP_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CPPFLAGS) -Itests/support $(CFLAGS) $(WARN) $(EXTRA_CFLAGS) -o $@ $< $(TSUP_OBJ) $(LIBA) $(LDLIBS) $(EXTRA_LDFLAGS)

$(BUILD)/tests/conformance/%: tests/conformance/%.c $(TSUP_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CPPFLAGS) -Itests/support $(CFLAGS) $(WARN) $(EXTRA_CFLAGS) -o $@ $< $(TSUP_OBJ) $(LIBA) $(LDLIBS) $(EXTRA_LDFLAGS)

$(BUILD)/bench/%: bench/%.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(LIBA) $(LDLIBS)

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
	@BUILD=build-san ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 tests/run-all.sh

# The threaded check pipeline under ThreadSanitizer: the corpus and the
# examples on four threads with a cold schema cache, several times.
test-tsan: deps
	@$(MAKE) --no-print-directory BUILD=build-tsan CC=clang OPT=-O1 \
		EXTRA_CFLAGS="-fsanitize=thread" EXTRA_LDFLAGS="-fsanitize=thread" build-tsan/guardrail
	@BUILD=build-tsan sh tests/tsan.sh

# libFuzzer harnesses (clang). Run one: build-fuzz/tests/fuzz/fuzz_yaml -max_total_time=600
fuzz: deps
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT=-O1 \
		EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined" build-fuzz/libguardrail.a
	@mkdir -p build-fuzz/tests/fuzz
	@for f in $(FUZZ_SRC); do \
		n=$$(basename $$f .c); \
		echo "  FUZZ $$n"; \
		clang $(STD) $(CPPFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined $(WARN) \
			-o build-fuzz/tests/fuzz/$$n $$f build-fuzz/libguardrail.a $(LDLIBS) || exit 1; \
	done

bench: $(TOOL) $(BENCH_BIN)

demo: deps
	@$(MAKE) --no-print-directory $(TOOL)
	@echo "== guardrail check examples/"
	-@$(TOOL) check examples/; echo "(exit code $$?)"

PREFIX ?= /usr/local
# Install the program, the library and headers, and (when a checkout has
# them beside it) the Kubernetes schemas into the data directory the schema
# engine looks in by default.
install: $(TOOL)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/guardrail
	install -m 755 $(TOOL) $(DESTDIR)$(PREFIX)/bin/guardrail
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/libguardrail.a
	install -m 644 include/guardrail/*.h $(DESTDIR)$(PREFIX)/include/guardrail/
	if [ -d ../shared/k8s-openapi ]; then \
		install -d $(DESTDIR)$(PREFIX)/share/guardrail && \
		cp -r ../shared/k8s-openapi $(DESTDIR)$(PREFIX)/share/guardrail/ && \
		chmod -R u+w $(DESTDIR)$(PREFIX)/share/guardrail; fi

format:
	clang-format -i $$(find include lib src tests bench -name '*.[ch]')

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
