# contrainer — build, test, measure.  See README.md.
#
# Out-of-tree builds: B (default build/) holds rel/ and asan/ variants.
# The release binary is $(B)/contrainer; every test binary is built with
# ASan+UBSan under $(B)/asan/.  Helpers working in parallel use their own B.

B        ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
CLANG    ?= clang
FUZZ_TIME ?= 30
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

WARN   := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
          -Wmissing-prototypes
BASE   := -std=gnu11 -D_GNU_SOURCE -g $(WARN) -Iinit -DCONTRAINER_VERSION='"$(VERSION)"' \
          -fstack-protector-strong -MMD -MP
REL    := $(BASE) -O2 -D_FORTIFY_SOURCE=2
ASAN   := $(BASE) -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
          -fno-omit-frame-pointer
# No -z now (as tini): eager binding would cost start-up time in init mode.
LDREL  := -Wl,-z,relro
# The binary never links libcurl/cJSON/libcap: init/dl.c dlopen()s them in
# watch and exec modes only (libcap: exec only) (linking them costs ~4 ms of start-up, see README "Benchmarks").
# Tests and fuzzers link the real libraries directly instead of dl.o.
DEPLIBS := -lcurl -lcjson -lcap
CRITERION := -lcriterion

SRCS     := $(sort $(wildcard init/*.c))
LIBSRCS  := $(filter-out init/main.c init/dl.c,$(SRCS))
UNITS    := $(patsubst tests/unit/%.c,%,$(sort $(wildcard tests/unit/test_*.c)))
UNITAUX  := $(sort $(wildcard tests/unit/fake_*.c))
FUZZERS  := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))

REL_OBJS  := $(patsubst init/%.c,$(B)/rel/obj/%.o,$(SRCS))
ASAN_OBJS := $(patsubst init/%.c,$(B)/asan/obj/%.o,$(SRCS))
ASAN_LIB  := $(B)/asan/libcontrainer.a

.PHONY: all check check-unit check-fuzz check-bats check-asan fuzz bench \
        demo images install lint clean
.DELETE_ON_ERROR:

all: $(B)/contrainer

$(B)/rel/obj/%.o: init/%.c | $(B)/rel/obj
	$(CC) $(REL) $(CFLAGS) -c $< -o $@

$(B)/asan/obj/%.o: init/%.c | $(B)/asan/obj
	$(CC) $(ASAN) $(CFLAGS) -c $< -o $@

$(B)/contrainer: $(REL_OBJS)
	$(CC) $(REL) $(LDREL) $(LDFLAGS) $^ -o $@.tmp -ldl
	mv $@.tmp $@

$(B)/asan/contrainer: $(ASAN_OBJS)
	$(CC) $(ASAN) $(LDFLAGS) $^ -o $@.tmp -ldl
	mv $@.tmp $@

$(ASAN_LIB): $(filter-out %/main.o %/dl.o,$(ASAN_OBJS))
	rm -f $@.tmp && ar rcs $@.tmp $^ && mv $@.tmp $@

$(B)/asan/unit/%: tests/unit/%.c $(UNITAUX) $(ASAN_LIB) | $(B)/asan/unit
	$(CC) $(ASAN) -Itests/unit $< $(UNITAUX) $(ASAN_LIB) -o $@.tmp $(CRITERION) $(DEPLIBS) -ldl
	mv $@.tmp $@

$(B)/asan/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(ASAN_LIB) | $(B)/asan/fuzz
	$(CC) $(ASAN) $< tests/fuzz/replay.c $(ASAN_LIB) -o $@.tmp $(DEPLIBS) -ldl
	mv $@.tmp $@

# libFuzzer builds link an archive, as the tests do: objects that only watch
# mode pulls in (watch.o calls dl_load from dl.c) are then left out.
FUZZCC   := $(CLANG) -std=gnu11 -D_GNU_SOURCE -g -O1 -Iinit -DCONTRAINER_VERSION='"$(VERSION)"' -MMD -MP
FUZZ_LIB := $(B)/fuzz/libcontrainer.a

$(B)/fuzz/obj/%.o: init/%.c | $(B)/fuzz/obj
	$(FUZZCC) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

$(FUZZ_LIB): $(patsubst init/%.c,$(B)/fuzz/obj/%.o,$(LIBSRCS))
	rm -f $@.tmp && ar rcs $@.tmp $^ && mv $@.tmp $@

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB) | $(B)/fuzz
	$(FUZZCC) -fsanitize=fuzzer,address,undefined $< $(FUZZ_LIB) -o $@.tmp $(DEPLIBS) -ldl
	mv $@.tmp $@

$(B)/rel/obj $(B)/asan/obj $(B)/asan/unit $(B)/asan/fuzz $(B)/fuzz $(B)/fuzz/obj:
	mkdir -p $@

# ---- tests -----------------------------------------------------------------

check: all check-unit check-fuzz check-bats

check-unit: $(addprefix $(B)/asan/unit/,$(UNITS))
	@tests/run-unit.sh $^

check-fuzz: $(addprefix $(B)/asan/fuzz/replay_,$(FUZZERS))
	@tests/fuzz/run-replay.sh $(B)/asan/fuzz $(FUZZERS)

# Black-box tests drive the release binary (CONTRAINER) unless told otherwise.
check-bats: $(B)/contrainer
	@CONTRAINER=$(abspath $(B)/contrainer) tests/run-bats.sh $(BATS)

# The black-box init tests again, with the sanitizer build as PID 1.
check-asan: $(B)/asan/contrainer
	@CONTRAINER=$(abspath $(B)/asan/contrainer) tests/run-bats.sh \
	  $(sort $(wildcard tests/bats/1*.bats))

fuzz: $(addprefix $(B)/fuzz/fuzz_,$(FUZZERS))
	@for f in $(FUZZERS); do \
	  mkdir -p $(B)/fuzz/corpus-$$f && \
	  $(B)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_TIME) -timeout=5 \
	    $$( [ -f tests/fuzz/$$f.dict ] && echo -dict=tests/fuzz/$$f.dict ) \
	    $(B)/fuzz/corpus-$$f tests/fuzz/corpus/$$f || exit 1; \
	done

# The README's first quick-start command: init as PID 1, then the controller.
demo: all
	examples/init-demo/run.sh $(abspath $(B)/contrainer)
	examples/watch-demo/run.sh $(abspath $(B)/contrainer)

bench: all
	tests/bench/run.sh $(abspath $(B)/contrainer)

images: all
	images/build.sh $(abspath $(B)/contrainer)

# ---- install, lint, clean --------------------------------------------------

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin
	install -m 0755 $(B)/contrainer $(DESTDIR)$(PREFIX)/bin/contrainer
	ln -sf ../bin/contrainer $(DESTDIR)$(PREFIX)/sbin/my_init
	for s in scripts/*; do [ -f "$$s" ] && [ -x "$$s" ] && \
	  install -m 0755 "$$s" $(DESTDIR)$(PREFIX)/bin/ ; done; true

lint: $(REL_OBJS)
	tests/lint.sh $(B)

clean:
	rm -rf $(B)

-include $(REL_OBJS:.o=.d) $(ASAN_OBJS:.o=.d) $(wildcard $(B)/fuzz/obj/*.d)
