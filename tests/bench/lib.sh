# shellcheck shell=bash
# Shared helpers of the benchmarks (sourced by run.sh, init.sh, ctl.sh).
#
# Results go to $BENCH_RESULTS as one line per measurement:
#   KEY <TAB> NUMBER <TAB> TEXT
# NUMBER is "-" when the value was not measured; TEXT is what the table
# shows (the formatted value, or "not measured: <reason>").  run.sh turns the
# file into the tables; nothing here prints a number that was not measured.

# put KEY NUMBER TEXT
put() {
        printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$BENCH_RESULTS"
}

# na KEY REASON — a metric that could not be measured, and why.
na() {
        printf '%s\t-\tnot measured: %s\n' "$1" "$2" >>"$BENCH_RESULTS"
}

# note TEXT — a line printed under the tables (set-up facts, baselines).
note() {
        printf 'note\t-\t%s\n' "$1" >>"$BENCH_RESULTS"
}

say() {
        printf 'bench: %s\n' "$*" >&2
}

# median of the numbers on stdin (one per line); prints nothing for none.
median() {
        sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# pctl P — nearest-rank P-th percentile (0..100) of the numbers on stdin.
pctl() {
        sort -g | awk -v p="$1" '{ v[NR] = $1 } END {
                if (!NR) exit
                i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR
                print v[i] }'
}

# fmt DECIMALS NUMBER
fmt() {
        awk -v d="$1" -v x="$2" 'BEGIN { printf "%.*f", d, x }'
}

# now_ns — CLOCK_REALTIME in ns (the clock of Engine event timeNano).
now_ns() {
        date +%s%N
}

# first_line FILE — first line of a log, for "not measured" reasons.
first_line() {
        [ -s "$1" ] && head -n 1 "$1" | cut -c1-120 | tr -d '\t'
}
