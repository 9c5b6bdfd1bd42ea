#!/usr/bin/awk -f
# promcheck.awk — a strict checker of the Prometheus text exposition format
# 0.0.4 (what `contrainer watch` serves on /metrics), for the tests:
#   awk -f tests/lib/promcheck.awk FILE    prints one line per problem, exits 1
# Checks: every line is a HELP, TYPE, comment or sample line; metric and
# label names and label values (escapes \\ \" \n only) are well-formed;
# values are floats; TYPE and HELP come at most once per family and TYPE
# before the family's samples; a family's samples are contiguous; no series
# twice; counters are not negative; histograms have le on every bucket,
# cumulative buckets in increasing le, a +Inf bucket equal to _count, a _sum.
function bad(msg) { printf "promcheck: line %d: %s: %s\n", NR, msg, $0; fails++ }
function isfloat(v) { return v ~ /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/ || v ~ /^[+-]?Inf$/ || v == "NaN" }
function family(n, t) {
	if (n in type) return n
	t = n; sub(/_(bucket|sum|count)$/, "", t)
	if (t in type && type[t] == "histogram") return t
	return n
}
BEGIN { fails = 0; cur = "" }
/^$/ { bad("empty line"); next }
/^# HELP / {
	if ($3 !~ /^[a-zA-Z_:][a-zA-Z0-9_:]*$/) bad("bad metric name in HELP")
	if ($3 in help) bad("second HELP for " $3)
	help[$3] = 1; next
}
/^# TYPE / {
	if (NF != 4 || $4 !~ /^(counter|gauge|histogram|summary|untyped)$/) bad("bad TYPE line")
	if ($3 in type) bad("second TYPE for " $3)
	if ($3 in seenfam) bad("TYPE after samples of " $3)
	type[$3] = $4; next
}
/^#/ { next }
{
	line = $0
	if (!match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*/)) { bad("bad metric name"); next }
	name = substr(line, 1, RLENGTH); rest = substr(line, RLENGTH + 1)
	labels = ""; le = ""
	if (substr(rest, 1, 1) == "{") {
		rest = substr(rest, 2)
		while (substr(rest, 1, 1) != "}") {
			if (!match(rest, /^[a-zA-Z_][a-zA-Z0-9_]*="/)) { bad("bad label"); next }
			lname = substr(rest, 1, RLENGTH - 2); rest = substr(rest, RLENGTH + 1)
			if (!match(rest, /^([^"\\\n]|\\\\|\\"|\\n)*"/)) { bad("bad label value"); next }
			lval = substr(rest, 1, RLENGTH - 1); rest = substr(rest, RLENGTH + 1)
			if (lname == "le") le = lval
			labels = labels "," lname "=" lval
			if (substr(rest, 1, 1) == ",") rest = substr(rest, 2)
			else if (substr(rest, 1, 1) != "}") { bad("expected , or } after a label"); next }
		}
		rest = substr(rest, 2)
	}
	if (!match(rest, /^ [^ ]+( -?[0-9]+)?$/)) { bad("expected ' VALUE [TIMESTAMP]'"); next }
	split(substr(rest, 2), vv, " "); v = vv[1]
	if (!isfloat(v)) { bad("value is not a float"); next }
	f = family(name)
	if (f != cur) {
		if (f in seenfam) bad("samples of " f " are not together")
		seenfam[f] = 1; cur = f
	}
	if ((name labels) in series) bad("series twice")
	series[name labels] = 1
	if ((f in type) && type[f] == "counter" && v + 0 < 0) bad("negative counter")
	if ((f in type) && type[f] == "histogram") {
		if (name == f "_bucket") {
			if (le == "") { bad("bucket without le"); next }
			lev = (le == "+Inf") ? "inf" : le
			if (le != "+Inf" && !isfloat(le)) bad("le is not a float")
			if ((f in lastle) && lastle[f] != "inf" && lev != "inf" && lev + 0 <= lastle[f] + 0) bad("le not increasing")
			if ((f in lastle) && lastle[f] == "inf") bad("bucket after +Inf")
			if ((f in lastcount) && v + 0 < lastcount[f] + 0) bad("buckets not cumulative")
			lastle[f] = lev; lastcount[f] = v
			if (le == "+Inf") inf[f] = v
		} else if (name == f "_count") {
			count[f] = v
		} else if (name == f "_sum") {
			sum[f] = 1
		} else bad("unexpected sample in histogram " f)
	}
}
END {
	for (f in type) {
		if (type[f] != "histogram") continue
		if (!(f in inf)) { printf "promcheck: histogram %s has no +Inf bucket\n", f; fails++ }
		if (!(f in count)) { printf "promcheck: histogram %s has no _count\n", f; fails++ }
		else if ((f in inf) && inf[f] != count[f]) { printf "promcheck: histogram %s: +Inf bucket %s != _count %s\n", f, inf[f], count[f]; fails++ }
		if (!(f in sum)) { printf "promcheck: histogram %s has no _sum\n", f; fails++ }
	}
	exit fails ? 1 : 0
}
