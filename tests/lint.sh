#!/bin/sh
# tests/lint.sh BUILD-DIR [OBJECT...] — static checks run by `make lint`:
#  1. shellcheck of every shipped shell file (and of lint.sh, docs.sh): scripts/, boot.d/, svc/*/run,
#     svc/*/finish, svc/*/log/run, images/ (build and install scripts),
#     examples/*/watch.sh, tests/images/nginx.sh;
#  2. every header under init/ compiles on its own (self-contained headers);
#  3. the folder rule (docs/architecture.md, RULES below) on #includes: each
#     folder's .c files compile (-fsyntax-only) with only the include
#     folders the rule allows it;
#  4. layering, the same rule from the objects'
#     symbol tables (nm): who may reference a symbol defined in which folder
#     of init/ (RULES below), that init/base, init/grammar and init/pid1
#     reference no curl_*/cJSON_*/MHD_*/cap_* symbol, that every module is in
#     a folder, and that the binary links none of libcurl, libcjson,
#     libmicrohttpd, libcap (dl.c dlopen()s them);
#  5. no call cycle between modules: an edge A -> B when A.o references a
#     symbol B.o defines; tsort(1) finds the loops.  tests/lint-cycles.allow
#     lists edges left out of the graph (and fails when one is gone).
# Objects: the OBJECT... arguments (make lint passes the release objects),
# else every BUILD-DIR/rel/obj/**.o.
# Prints one line per failure and a closing summary; exits 1 on any failure.
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
b=${1:-build}
[ $# -eq 0 ] || shift
objs=$*
fail=0
bad() { printf 'lint: %s\n' "$*" >&2; fail=$((fail + 1)); }

# 1. shell
set --
for f in scripts/* boot.d/* svc/*/run svc/*/finish svc/*/log/run \
        images/*.sh images/*/install/*.sh examples/*/watch.sh tests/images/nginx.sh tests/lint.sh tests/docs.sh; do
        [ -f "$f" ] && set -- "$@" "$f"
done
if ! command -v shellcheck >/dev/null 2>&1; then
        bad "shellcheck not installed (apt-get install shellcheck)"
elif [ $# -gt 0 ]; then
        shellcheck --shell=sh "$@" || bad "shellcheck found problems (above)"
fi

# The folder rule (README "Layout"): a folder may use the folders listed
# after it (and its own; "dl" is init/dl.c's dl_load*, header init/dl.h);
# init/main.c (top) may use all, init/dl.c nothing.  Checked on symbols
# (step 4) and on #includes (step 3).
# The static build is init/pid1 + init/base: they must need nothing else.
RULES='
base:
grammar: base
pid1: base
engine: base
direct: base engine dl
watch/core: base grammar engine watch/run
watch/run: base grammar engine direct dl
watch/status: base grammar engine dl watch/core watch/run
watch: base grammar engine direct dl watch/core watch/run watch/status
'

# 2. headers (every folder of init/ but static/ is on the include path,
# as in the Makefile)
cc=${CC:-cc}
incs=-Iinit
for d in $(find init -mindepth 1 -type d ! -path 'init/static*' | sort); do
        incs="$incs -I$d"
done
for h in $(find init -name '*.h' | sort); do
        [ -f "$h" ] || continue
        case $h in init/static/*) continue ;; esac
        # shellcheck disable=SC2086 # folder names have no blanks
        "$cc" -std=gnu11 -D_GNU_SOURCE $incs -Wall -Wextra -Werror -Wstrict-prototypes \
                -fsyntax-only -include "$h" -x c /dev/null ||
                bad "$h does not compile on its own"
done

# 3. the folder rule on #includes: each folder's .c files compile with
# only the include folders RULES allows it (its own, those listed; "dl": a
# folder holding init/dl.h alone), so a header of a folder it may not use
# is "not found".  init/static/ is the static build's main: base and pid1.
incdir=$(mktemp -d) || exit 1
ln -s "$PWD/init/dl.h" "$incdir/dl.h"
rule_incs() { # FOLDER -> its -I options, or nothing when RULES has no line
        printf '%s\n' "$RULES" | awk -v d="$1" -v dl="$incdir" '
                { split($0, kv, ":") }
                kv[1] == d {
                        out = "-Iinit/" d
                        n = split(kv[2], a, " ")
                        for (i = 1; i <= n; i++)
                                out = out " " (a[i] == "dl" ? "-I" dl : "-Iinit/" a[i])
                        print out
                }'
}
for d in $(find init -mindepth 1 -type d | sort); do
        d=${d#init/}
        case $d in
        static) i="-Iinit/static -Iinit/base -Iinit/pid1" ;;
        *) i=$(rule_incs "$d") ;;
        esac
        if [ -z "$i" ]; then
                bad "init/$d/ has no line in RULES"
                continue
        fi
        for c in init/"$d"/*.c; do
                [ -f "$c" ] || continue
                # shellcheck disable=SC2086 # folder names have no blanks
                "$cc" -std=gnu11 -D_GNU_SOURCE $i -DCONTRAINER_VERSION='"0"' -fsyntax-only "$c" \
                        2>"$incdir/err" ||
                        bad "$c includes beyond what RULES allows init/$d/ ($(sed -n 's/.*error: //p' "$incdir/err" | head -n 1))"
        done
done
rm -rf "$incdir"

# 4. layering (RULES above)
[ -n "$objs" ] || objs=$(find "$b/rel/obj" -name '*.o' | sort)
syms=$(mktemp) || exit 1
edges=$(mktemp) || exit 1
trap 'rm -f "$syms" "$edges"' EXIT
# shellcheck disable=SC2086 # object paths have no blanks (make's own list)
for o in $objs; do
        rel=${o#"$b"/rel/obj/}
        case $rel in
        */*) dir=${rel%/*} ;;
        *) dir=top ;;
        esac
        mod=${rel##*/}
        if ! tab=$(nm -P "$o"); then
                bad "nm $o failed"
                continue
        fi
        printf '%s\n' "$tab" | awk -v d="$dir" -v m="${mod%.o}" '
                $2 == "U" { print "U", d, m, $1; next }
                $2 ~ /^[A-Z]$/ { print "D", d, m, $1 }' >>"$syms"
done
# Prints "bad TEXT" lines for the rule's failures and "edge A B" lines for
# every module-to-module reference (library wrappers in dl.c left out).
out=$(awk -v rules="$RULES" '
        BEGIN {
                n = split(rules, line, "\n")
                for (i = 1; i <= n; i++) {
                        if (line[i] == "") continue
                        split(line[i], kv, ":")
                        ok[kv[1]] = " " kv[1] " " kv[2] " "
                        may[kv[1]] = kv[2] == "" ? "nothing else" : kv[2]
                }
        }
        $1 == "D" { def[$4] = $3; dirof[$3] = $2; next }
        { u[NR] = $0 }
        END {
                for (i in u) {
                        split(u[i], f, " ")
                        d = f[2]; m = f[3]; s = f[4]
                        if (d == "top" && m != "main" && m != "dl" && !(m in told)) {
                                told[m] = 1
                                print "bad " m ".o is at init/ top: move it into a folder (docs/architecture.md)"
                        }
                        lib = s ~ /^(curl_|cJSON_|MHD_|cap_)/
                        if (lib && (d == "base" || d == "grammar" || d == "pid1"))
                                print "bad " d "/" m ".o references " s " (libcurl/cJSON/libmicrohttpd/libcap)"
                        if (lib || !(s in def) || def[s] == m) continue
                        t = def[s]; td = dirof[t]
                        if (td == "top") td = t
                        print "edge " m " " t
                        if (d == "top") continue  # main: all; the others: told above
                        if (!(d in ok)) {
                                if (!(d in noted)) print "bad init/" d "/ has no line in RULES"
                                noted[d] = 1
                                continue
                        }
                        if (index(ok[d], " " td " ") == 0)
                                print "bad " d "/" m ".o references " s " of " dirof[t] "/" t ".o (init/" d " may use only:" may[d] ")"
                }
        }' "$syms") || bad "the layering check's awk failed"
layer=$(printf '%s\n' "$out" | sed -n 's/^bad //p' | sort -u)
[ -z "$layer" ] || bad "layering (the folder rule, RULES in tests/lint.sh):
$layer"
printf '%s\n' "$out" | sed -n 's/^edge //p' | sort -u >"$edges"

# 5. call cycles
allow=tests/lint-cycles.allow
allowed=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$allow" 2>/dev/null | awk '{print $1, $2}' | sort -u)
if [ -n "$allowed" ]; then
        gone=$(printf '%s\n' "$allowed" | comm -23 - "$edges")
        [ -z "$gone" ] || bad "$allow: no such edge any more, remove it: $(printf '%s' "$gone" | tr '\n' ',')"
fi
loops=$(printf '%s\n' "$allowed" | comm -13 - "$edges" | tsort 2>&1 >/dev/null)
[ -z "$loops" ] || bad "call cycle between modules (each tsort loop below; see $allow):
$loops"

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
