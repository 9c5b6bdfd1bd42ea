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
# The sources: init/ holds main.c, dl.c and dl.h; each sub-folder one part
# of the program (docs/architecture.md).  Every folder is on the include path, so
# an #include names a header alone ("buf.h").  New files at init/ top are
# picked up as well.
SRCDIRS  := init $(addprefix init/,base pid1 grammar engine watch watch/core watch/run watch/status direct)
INCS     := $(addprefix -I,$(SRCDIRS))
BASE   := -std=gnu11 -D_GNU_SOURCE -g $(WARN) $(INCS) -DCONTRAINER_VERSION='"$(VERSION)"' \
          -fstack-protector-strong -MMD -MP
REL    := $(BASE) -O2 -D_FORTIFY_SOURCE=2
ASAN   := $(BASE) -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
          -fno-omit-frame-pointer
# No -z now (as tini): eager binding would cost start-up time in init mode.
LDREL  := -Wl,-z,relro
# The binary never links libcurl/cJSON/libmicrohttpd/libcap: init/dl.c
# dlopen()s them in watch, status and exec modes only (libcap: exec only;
# linking them costs ~4 ms of start-up, see docs/benchmarks.md).
# Tests and fuzzers link the real libraries directly instead of dl.o.
DEPLIBS := -lcurl -lcjson -lmicrohttpd -lcap
CRITERION := -lcriterion

SRCS     := $(sort $(foreach d,$(SRCDIRS),$(wildcard $(d)/*.c)))
LIBSRCS  := $(filter-out init/main.c init/dl.c,$(SRCS))
UNITS    := $(patsubst tests/unit/%.c,%,$(sort $(wildcard tests/unit/test_*.c)))
UNITAUX  := $(sort $(wildcard tests/unit/fake_*.c))
FUZZERS  := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))

# What init mode runs after start-up (its main loop) is linked first, next
# to the PLT, so that it shares a page or two of text: PID 1 hands the rest
# back (init/pid1/memtrim.c says why the order matters; a module the quiet
# loop calls into belongs here).
INIT_LOOP := $(patsubst %,$(B)/rel/obj/%.o,base/deadline pid1/pid1 pid1/memtrim pid1/init_main)
REL_OBJS  := $(INIT_LOOP) $(filter-out $(INIT_LOOP),$(patsubst init/%.c,$(B)/rel/obj/%.o,$(SRCS)))
ASAN_OBJS := $(patsubst init/%.c,$(B)/asan/obj/%.o,$(SRCS))
ASAN_LIB  := $(B)/asan/libcontrainer.a
MANPAGES  := $(patsubst man/%.scd,$(B)/man/%,$(sort $(wildcard man/*.scd)))

.PHONY: all check check-unit check-fuzz check-docs check-bats check-asan check-swarm check-engines fuzz bench \
        demo images install lint clean
.DELETE_ON_ERROR:

all: $(B)/contrainer $(MANPAGES)

$(B)/rel/obj/%.o: init/%.c
	@mkdir -p $(@D)
	$(CC) $(REL) $(CFLAGS) -c $< -o $@

$(B)/asan/obj/%.o: init/%.c
	@mkdir -p $(@D)
	$(CC) $(ASAN) $(CFLAGS) -c $< -o $@

$(B)/contrainer: $(REL_OBJS)
	$(CC) $(REL) $(LDREL) $(LDFLAGS) $^ -o $@.tmp -ldl
	mv $@.tmp $@

# Man pages: man/NAME.8.scd (scdoc) -> $(B)/man/NAME.8.  tests/docs.sh
# (make check-docs) checks them against every --help and docs/.
$(B)/man/%: man/%.scd
	@mkdir -p $(@D)
	scdoc <$< >$@.tmp
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
FUZZCC   := $(CLANG) -std=gnu11 -D_GNU_SOURCE -g -O1 $(INCS) -DCONTRAINER_VERSION='"$(VERSION)"' -MMD -MP
FUZZ_LIB := $(B)/fuzz/libcontrainer.a
FUZZ_OBJS := $(patsubst init/%.c,$(B)/fuzz/obj/%.o,$(LIBSRCS))

$(B)/fuzz/obj/%.o: init/%.c
	@mkdir -p $(@D)
	$(FUZZCC) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

$(FUZZ_LIB): $(FUZZ_OBJS)
	rm -f $@.tmp && ar rcs $@.tmp $^ && mv $@.tmp $@

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB) | $(B)/fuzz
	$(FUZZCC) -fsanitize=fuzzer,address,undefined $< $(FUZZ_LIB) -o $@.tmp $(DEPLIBS) -ldl
	mv $@.tmp $@

# ---- static (musl) init-only build: make static -> $(B)/static/contrainer ----
.PHONY: static check-static deb
# For `COPY --from` into any image (Alpine, distroless, scratch), as
# tini-static.  Only the init-side modules go in, with their own main
# (init/static/main.c: no watch, no dl.c, no dlopen); musl_compat supplies
# the two glibc extensions they use (force-included, so no #ifdefs).
# The init-side modules are the folders init/pid1 and init/base (make lint
# checks that they reference nothing else), so a new one is picked up there.
MUSLCC      ?= musl-gcc
STATIC_SRCS := $(sort $(wildcard init/pid1/*.c init/base/*.c)) \
               init/static/main.c init/static/musl_compat.c
STATIC      := -std=gnu11 -D_GNU_SOURCE -O2 $(WARN) $(INCS) -Iinit/static \
               -include init/static/musl_compat.h -DCONTRAINER_VERSION='"$(VERSION)"' \
               -fstack-protector-strong -MMD -MP
STATIC_OBJS := $(patsubst init/%.c,$(B)/static/obj/%.o,$(STATIC_SRCS))

$(B)/static/obj/%.o: init/%.c
	@mkdir -p $(dir $@)
	$(MUSLCC) $(STATIC) -c $< -o $@

$(B)/static/contrainer: $(STATIC_OBJS)
	$(MUSLCC) -static -s $^ -o $@.tmp
	mv $@.tmp $@

static: $(B)/static/contrainer

# The shims' unit test (glibc's own functions as the reference) includes them.
$(B)/asan/unit/test_musl_compat: init/static/musl_compat.c init/static/musl_compat.h

# ---- Debian package: make deb -> $(B)/deb/contrainer_<version>_<arch>.deb ----
# dpkg-buildpackage (debhelper, debian/) runs in a copy of the source tree
# under $(B)/deb/src/, so its outputs (written to the parent directory) stay
# in $(B)/deb/.  The version is debian/changelog's, which must equal VERSION.
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo unknown)
DEB      := $(B)/deb/contrainer_$(VERSION)_$(DEB_ARCH).deb
DEB_SRCS := $(SRCS) $(wildcard $(addsuffix /*.h,$(SRCDIRS)) scripts/* debian/* debian/source/* man/* docs/*) \
            README.md VERSION Makefile

$(DEB): $(DEB_SRCS)
	@v=$$(dpkg-parsechangelog -S Version); [ "$$v" = "$(VERSION)" ] || \
	  { echo "make deb: debian/changelog says $$v, VERSION says $(VERSION)" >&2; exit 1; }
	rm -rf $(B)/deb/src && mkdir -p $(B)/deb/src/contrainer-$(VERSION)
	tar -c --exclude=./build --exclude=./.git --exclude='./$(B)' . | \
	  tar -x -C $(B)/deb/src/contrainer-$(VERSION)
	cd $(B)/deb/src/contrainer-$(VERSION) && \
	  dpkg-buildpackage -b -us -uc --no-sign >../build.log 2>&1 || \
	  { tail -30 ../build.log >&2; exit 1; }
	mv $(B)/deb/src/contrainer_$(VERSION)_$(DEB_ARCH).deb $@
	rm -rf $(B)/deb/src/contrainer-$(VERSION)

deb: $(DEB)

$(B)/asan/unit $(B)/asan/fuzz $(B)/fuzz:
	mkdir -p $@

# ---- tests -----------------------------------------------------------------

check: all check-unit check-fuzz check-docs check-bats

check-unit: $(addprefix $(B)/asan/unit/,$(UNITS))
	@tests/run-unit.sh $^

# Every option of every mode and helper in its man page and docs/, and back;
# every page renders (no Docker needed).
check-docs: $(B)/contrainer $(MANPAGES)
	@tests/docs.sh $(B)

check-fuzz: $(addprefix $(B)/asan/fuzz/replay_,$(FUZZERS))
	@tests/fuzz/run-replay.sh $(B)/asan/fuzz $(FUZZERS)

# The three-node Docker Swarm test (docs/images.md): three dockerds in network
# namespaces of their own deploy images/controller/stack.yml with the
# controller image, which the suite builds from the package (like the image
# suites; run-bats.sh starts a dockerd when none answers).  Root, iproute2;
# not in `check`.
check-swarm: $(B)/contrainer $(B)/static/contrainer $(DEB)
	@CONTRAINER=$(abspath $(B)/contrainer) CONTRAINER_STATIC=$(abspath $(B)/static/contrainer) \
	  CONTRAINER_DEB=$(abspath $(DEB)) BATS_TEST_TIMEOUT=600 tests/run-bats.sh tests/swarm/70-swarm.bats

# The controller's core suites against every engine users run (docs/engines.md):
# Docker 20.10, trixie's Docker (a debootstrapped root, cached in
# /var/cache/contrainer-tests), Podman rootful and rootless, rootless Docker.  CTR_ENGINES
# chooses some of them.
check-engines: $(B)/contrainer
	@CONTRAINER=$(abspath $(B)/contrainer) tests/engines/run.sh

# Black-box tests drive the release binary (CONTRAINER) unless told otherwise.
# The image suites (4x, 5x) build the images from the package (CONTRAINER_DEB).
check-bats: $(B)/contrainer $(B)/static/contrainer $(DEB)
	@CONTRAINER=$(abspath $(B)/contrainer) CONTRAINER_STATIC=$(abspath $(B)/static/contrainer) \
	  CONTRAINER_DEB=$(abspath $(DEB)) tests/run-bats.sh $(BATS)

# The black-box init tests again, with the sanitizer build as PID 1.
check-asan: $(B)/asan/contrainer
	@CONTRAINER=$(abspath $(B)/asan/contrainer) tests/run-bats.sh \
	  $(sort $(wildcard tests/bats/1*.bats))

# The black-box init tests again, with the static (musl) build as PID 1,
# plus its own checks (init-only, PID 1 of a scratch image: 43-static-image.bats).
check-static: $(B)/static/contrainer
	@CONTRAINER=$(abspath $(B)/static/contrainer) CONTRAINER_STATIC=$(abspath $(B)/static/contrainer) \
	  tests/run-bats.sh $(sort $(wildcard tests/bats/1*.bats)) tests/bats/43-static-image.bats

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

bench: all $(B)/static/contrainer
	CTR_STATIC=$(abspath $(B)/static/contrainer) tests/bench/run.sh $(abspath $(B)/contrainer)
	tests/bench/engines.sh $(abspath $(B)/contrainer)

# The base image installs the Debian package (make deb); contrainer/static
# holds the static init alone (make static), for COPY --from.
images: $(DEB) $(B)/static/contrainer
	images/build.sh $(abspath $(DEB)) $(abspath $(B)/static/contrainer)

# ---- install, lint, clean --------------------------------------------------

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(B)/contrainer $(DESTDIR)$(PREFIX)/bin/contrainer
	ln -sf ../bin/contrainer $(DESTDIR)$(PREFIX)/sbin/my_init
	for s in scripts/*; do \
	  if [ -f "$$s" ] && [ -x "$$s" ]; then \
	    install -m 0755 "$$s" $(DESTDIR)$(PREFIX)/bin/ || exit 1; \
	  fi; \
	done
	install -m 0644 $(MANPAGES) $(DESTDIR)$(PREFIX)/share/man/man8/
	ln -sf contrainer-init.8 $(DESTDIR)$(PREFIX)/share/man/man8/my_init.8

lint: $(REL_OBJS)
	tests/lint.sh $(B) $(REL_OBJS)

clean:
	rm -rf $(B)

-include $(REL_OBJS:.o=.d) $(ASAN_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d) \
         $(STATIC_OBJS:.o=.d)
