#!/bin/sh
# tests/lint.sh BUILD-DIR — static checks run by `make lint`:
#  1. shellcheck of every shipped shell file: scripts/, boot.d/, svc/*/run,
#     svc/*/finish, svc/*/log/run, images/ (build and install scripts);
#  2. every init/*.h and init/*/*.h compiles on its own (self-contained headers, STYLE.md);
#  3. layering: the init-side objects reference no curl_*/cJSON_*/MHD_*/cap_*
#     symbol, and the binary links none of libcurl, libcjson, libmicrohttpd,
#     libcap (dl.c dlopen()s them).
# Prints one line per failure and a closing summary; exits 1 on any failure.
set -u
cd "$(dirname "$0")/.." || exit 1
b=${1:-build}
fail=0
bad() { printf 'lint: %s\n' "$*" >&2; fail=$((fail + 1)); }

# 1. shell
set --
for f in scripts/* boot.d/* svc/*/run svc/*/finish svc/*/log/run \
        images/*.sh images/*/install/*.sh tests/lint.sh; do
        [ -f "$f" ] && set -- "$@" "$f"
done
if ! command -v shellcheck >/dev/null 2>&1; then
        bad "shellcheck not installed (apt-get install shellcheck)"
elif [ $# -gt 0 ]; then
        shellcheck --shell=sh "$@" || bad "shellcheck found problems (above)"
fi

# 2. headers (every folder of init/ but static/ is on the include path,
# as in the Makefile)
cc=${CC:-cc}
incs=-Iinit
for d in init/*/; do
        [ "$d" = init/static/ ] || incs="$incs -I${d%/}"
done
for h in init/*.h init/*/*.h; do
        [ -f "$h" ] || continue
        case $h in init/static/*) continue ;; esac
        # shellcheck disable=SC2086 # folder names have no blanks
        "$cc" -std=gnu11 -D_GNU_SOURCE $incs -Wall -Wextra -Werror -Wstrict-prototypes \
                -fsyntax-only -include "$h" -x c /dev/null ||
                bad "$h does not compile on its own"
done

# 3. layering
for obj in "$b"/rel/obj/pid1/*.o "$b"/rel/obj/base/*.o "$b/rel/obj/main.o"; do
        [ -f "$obj" ] || continue
        syms=$(nm "$obj" | grep -E '[[:space:]](curl_|cJSON_|MHD_|cap_)' || true)
        [ -z "$syms" ] || bad "$obj (init side) references libcurl/cJSON/libmicrohttpd/libcap: $(echo "$syms" | tr '\n' ' ')"
done
if [ -x "$b/contrainer" ]; then
        libs=$(ldd "$b/contrainer" 2>&1 | grep -E 'libcurl|libcjson|libmicrohttpd|libcap' || true)
        [ -z "$libs" ] || bad "$b/contrainer links libcurl/cJSON/libmicrohttpd/libcap: $libs"
else
        echo "lint: $b/contrainer not built, its libraries not checked" >&2
fi

if [ "$fail" -eq 0 ]; then
        echo "lint: ok"
else
        echo "lint: $fail problem(s)" >&2
        exit 1
fi
