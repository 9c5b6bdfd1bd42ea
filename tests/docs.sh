#!/bin/sh
# tests/docs.sh BUILD-DIR — the documentation cannot drift from --help
# (run by `make check-docs`, part of `make check`; needs no Docker):
#  1. every option a mode's or a helper's --help prints has a definition
#     line in its man page source (man/*.scd) and is in its docs/ file;
#     every variable under "Environment:" in a --help is in both too;
#  2. every option its man page defines is printed by its --help;
#  3. every built page (BUILD-DIR/man/*.8) renders with `man -l` without a
#     warning.
#
# How options are found, so that adding one is easy:
#  - in --help: every "-x" or "--word" on a line whose first non-blank
#    character is "-" (the option lines; their descriptions may mention
#    other options of the same mode, which then must exist too);
#  - in a man page: every "-x" or "--word" on a line that starts with "*-"
#    (an option definition, e.g. "*-f*, *--filter* _FILTER_");
#  - in docs/ (and variables in the page): anywhere in the file, not glued
#    to other letters.
# So a new option needs: a line in --help, a "*--opt*" definition in the
# page (man/contrainer-MODE.8.scd or man/contrainer-HELPER.8.scd) and a
# mention in the docs/ file below.  The table of what is checked:
#   contrainer MODE --help   man/contrainer-MODE.8.scd    docs/MODE.md
#   scripts/HELPER --help    man/contrainer-HELPER.8.scd  docs/helpers.md
# CONTRAINER (default BUILD-DIR/contrainer) is the binary asked.
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
b=${1:-build}
bin=${CONTRAINER:-$b/contrainer}
fail=0
checked=0
bad() { printf 'docs: %s\n' "$*" >&2; fail=$((fail + 1)); }

# Options on the option lines of a --help text (stdin), one per line.
help_opts() {
        grep -E '^[[:space:]]*-' |
                grep -oE '(^|[^A-Za-z0-9_-])--?[A-Za-z][A-Za-z0-9-]*' |
                sed -E 's/^[^-]*//' | sort -u
}
# Variables listed under "Environment:" in a --help text (stdin).
help_vars() {
        sed -n '/^Environment:/,/^$/p' | grep -oE '^[[:space:]]+[A-Z][A-Z0-9_]+' |
                tr -d ' \t' | sort -u
}
# Options defined in a scdoc page.
page_opts() {
        grep -E '^\*-' "$1" |
                grep -oE '(^|[^A-Za-z0-9_-])--?[A-Za-z][A-Za-z0-9-]*' |
                sed -E 's/^[^-]*//' | sort -u
}
# Does FILE mention WORD, not as part of a longer option or name?  scdoc
# escapes "_" as "\_", so that is taken out first.
mentions() {
        sed 's/\\_/_/g' "$2" | grep -qE -- "(^|[^A-Za-z0-9_-])$1([^A-Za-z0-9_-]|$)"
}

# check WHAT HELP-TEXT PAGE DOC
check() {
        what=$1 text=$2 page=$3 doc=$4
        [ -f "$page" ] || { bad "$what: no man page source $page"; return; }
        [ -f "$doc" ] || { bad "$what: no $doc"; return; }
        hopts=$(printf '%s\n' "$text" | help_opts)
        popts=$(page_opts "$page")
        [ -n "$hopts" ] || bad "$what: --help lists no option (is it still runnable?)"
        for o in $hopts; do
                checked=$((checked + 1))
                printf '%s\n' "$popts" | grep -qxF -- "$o" ||
                        bad "$what: $o is in --help but $page has no *$o* definition line"
                mentions "$o" "$doc" || bad "$what: $o is in --help but not in $doc"
        done
        for v in $(printf '%s\n' "$text" | help_vars); do
                checked=$((checked + 1))
                mentions "$v" "$page" || bad "$what: $v is in --help but not in $page"
                mentions "$v" "$doc" || bad "$what: $v is in --help but not in $doc"
        done
        for o in $popts; do
                checked=$((checked + 1))
                printf '%s\n' "$hopts" | grep -qxF -- "$o" ||
                        bad "$what: $page defines $o, which --help does not print"
        done
}

[ -x "$bin" ] || { echo "docs: no binary $bin (make first)" >&2; exit 1; }
for m in init watch exec status; do
        check "contrainer $m" "$("$bin" "$m" --help 2>&1)" "man/contrainer-$m.8.scd" "docs/$m.md"
done
for s in scripts/*; do
        if [ -f "$s" ] && [ -x "$s" ]; then
                h=${s##*/}
                check "$h" "$("$s" --help 2>&1)" "man/contrainer-$h.8.scd" docs/helpers.md
        fi
done

# Every page renders without a warning (groff's -w through man --warnings).
n=0
for p in "$b"/man/*.8; do
        [ -f "$p" ] || continue
        n=$((n + 1))
        err=$(MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
        [ -z "$err" ] || bad "$p: man -l says: $err"
done
[ "$n" -gt 0 ] || bad "no built man page in $b/man (make builds them)"
for src in man/*.8.scd; do
        p=$b/man/$(basename "$src" .scd)
        [ -f "$p" ] || bad "$src is not built as $p"
done

if [ "$fail" -gt 0 ]; then
        echo "docs: $fail problem(s)" >&2
        exit 1
fi
echo "docs: ok ($checked options and variables, $n man pages)"
