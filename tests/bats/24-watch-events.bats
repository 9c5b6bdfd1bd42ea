#!/usr/bin/env bats
# `contrainer watch` events with their facts, label hooks, scope and the
# die catch-up (docs/events.md), against a real Engine (a private dockerd,
# see watch_helpers.bash), with the bad input of issue 18: a label hook with
# a bad header, a label over the caps, 10,000 labels on one container, a key
# that collides after upper-casing, a --scope that does not parse.  (A health
# event with an unknown state: tests/unit/test_pipeline.c, a fake Engine.)

# shellcheck disable=SC2016,SC2034 # bodies are shell text expanded where they run
load watch_helpers

if [ "${BATS_TEST_TIMEOUT:-0}" -lt 240 ]; then
        BATS_TEST_TIMEOUT=240
fi

setup_file() { watch_setup_file; }
teardown_file() { watch_teardown_file; }
setup() { watch_setup; }
teardown() {
        standin_stop
        watch_teardown
}

# standin_start, standin_stop: the stand-in host (watch_helpers.bash).

# get PATH: GET PATH on the controller's status socket.
get() { curl -fsS --max-time 10 --unix-socket "$T/state/status.sock" "http://localhost$1"; }
# paths_are PATH: /status has one dispatch on $N-r by PATH and one on %contrainer (local).
paths_are() {
        get /status | jq -e --arg n "$N-r" --arg p "$1" '
                ([.dispatches[] | select(.target == $n and .path == $p)] | length == 1) and
                ([.dispatches[] | select(.target == "%contrainer" and .path == "local")] | length == 1)' >/dev/null
}

@test "a label hook registers with no script; kill and rename bodies get their facts" {
        CRUN_SCRIPTS=$T/empty crun r -l team=blue \
                -l 'contrainer.hook.f.on=%me:kill:rename' \
                -l 'contrainer.hook.f.run=echo "$CONTRAINER_EVENT sig=$CONTRAINER_SIGNAL old=$CONTRAINER_OLD_NAME img=$CONTRAINER_SOURCE_IMAGE team=$CONTRAINER_LABEL_TEAM t=${CONTRAINER_EVENT_TIME:+set}" >>/m/f.log; echo "$CONTRAINER_EVENT_TIME" >>/m/t.log'
        ctl_start
        wait_log "label hook 'f' 1 entry"
        ctl_ready
        docker kill -s USR1 "$N-r" >/dev/null
        wait_line "$M/f.log" "kill sig=10 old= img=$WATCH_IMAGE team=blue t=set"
        docker rename "$N-r" "$N-r2"
        wait_line "$M/f.log" "rename sig= old=$N-r img=$WATCH_IMAGE team=blue t=set"
        # the time is RFC 3339 with nanoseconds
        [ "$(grep -Ec '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$' "$M/t.log")" -eq 2 ]
}

@test "die: the body gets the exit code, the image and the source's labels" {
        reg r 10-die "%me:die" "$(ours 'echo "$CONTRAINER_SOURCE_NAME $CONTRAINER_EXIT_CODE $CONTRAINER_SOURCE_IMAGE $CONTRAINER_LABEL_APP" >>"$M/die.log"')"
        ctl_start
        crun r
        wait_log "container '$N-r' script '$CTR_SD/10-die' 1 entry"
        CRUN_CMD='sleep 1; exit 7' crun d -l app=shop
        CRUN_CMD='sleep 1; exit 0' crun z
        wait_line "$M/die.log" "$N-d 7 $WATCH_IMAGE shop"
        wait_line "$M/die.log" "$N-z 0 $WATCH_IMAGE "
}

@test "health: unhealthy and healthy fire their entries with CONTRAINER_HEALTH" {
        ctl_start
        ctl_ready
        CRUN_SCRIPTS=$T/empty crun h --health-cmd 'test -f /tmp/ok' --health-interval 1s \
                --health-retries 1 --health-timeout 2s \
                -l 'contrainer.hook.h.on=%me:unhealthy:healthy,%me:health_status' \
                -l 'contrainer.hook.h.run=echo "$CONTRAINER_EVENT $CONTRAINER_HEALTH" >>/m/h.log; touch /tmp/ok'
        wait_line "$M/h.log" "health_status unhealthy" 60
        wait_line "$M/h.log" "health_status healthy" 60
        # one body per event although two entries name the target
        [ "$(grep -c 'health_status unhealthy' "$M/h.log")" -eq 1 ]
}

@test "bad label input: a bad header, a label over the caps, a colliding key get one line each; the rest works" {
        local big
        big=$(head -c 5000 /dev/zero | tr '\0' x)
        ctl_start --max-output 4096
        ctl_ready
        CRUN_SCRIPTS=$T/empty crun b -l a.b=first -l a_b=second \
                -l 'contrainer.hook.bad.on=%me:[' -l 'contrainer.hook.bad.run=true' \
                -l 'contrainer.hook.big.on=%me' -l "contrainer.hook.big.run=$big" \
                -l 'contrainer.hook.half.on=%me' \
                -l 'contrainer.hook.ok.on=' -l 'contrainer.hook.ok.run=echo "$CONTRAINER_LABEL_A_B" >/m/ok.log'
        wait_line "$M/ok.log" "first"
        wait_log "label hook 'bad': invalid header"
        wait_log "label hook 'big': 'its labels hold more than --max-output (4096 bytes)'"
        wait_log "label hook 'half': 'it has a .on label but no .run label'"
        wait_log "collide after upper-casing"
        [ "$(log_count "label hook 'bad'")" -eq 1 ]
        [ "$(log_count "collide after upper-casing")" -eq 1 ]
        # the controller keeps working
        reg c 10 "" "$(mark c.log)"
        crun c
        wait_line "$M/c.log" "immediate $N-c $N-c"
}

@test "10,000 labels on one container: the first 64 in byte order, one line, nothing else lost" {
        local i
        for i in $(seq -w 0 9999); do echo "a$i=v$i"; done >"$T/labels"
        ctl_start
        ctl_ready
        CRUN_SCRIPTS=$T/empty crun many --label-file "$T/labels" \
                -l 'contrainer.hook.m.on=' \
                -l 'contrainer.hook.m.run=echo "$CONTRAINER_LABEL_A0000 $CONTRAINER_LABEL_A0063 ${CONTRAINER_LABEL_A0064:-none} $(env | grep -c ^CONTRAINER_LABEL_)" >/m/many.log'
        wait_line "$M/many.log" "v0000 v0063 none 64" 60
        wait_log "10002 labels: only the first 64 in byte order"
        [ "$(log_count "only the first 64")" -eq 1 ]
        reg c 10 "" "$(mark c.log)"
        crun c
        wait_line "$M/c.log" "immediate $N-c $N-c"
}

@test "a --scope that does not parse: exit 2 with one line" {
        local rc=0
        "$CONTRAINER" watch --state-dir "$T/state" --scope status=running 2>"$T/err" || rc=$?
        [ "$rc" -eq 2 ]
        [ "$(wc -l <"$T/err")" -eq 1 ]
        grep -q -- "--scope 'status=running'" "$T/err"
        rc=0
        "$CONTRAINER" watch --state-dir "$T/state" --scope 'name=(' 2>"$T/err" || rc=$?
        [ "$rc" -eq 2 ]
        [ "$(wc -l <"$T/err")" -eq 1 ]
}

@test "two scoped controllers on one Engine never run each other's hooks" {
        local p
        for p in a b; do
                CRUN_SCRIPTS=$T/empty crun "$p" -l "com.docker.compose.project=$CTR_P-$p" \
                        -l 'contrainer.hook.x.on=' \
                        -l "contrainer.hook.x.run=echo \"\$CONTRAINER_TARGET\" >>/m/$p.log"
        done
        mkdir -p "$T/sa" "$T/sb"
        "$CONTRAINER" watch --once --state-dir "$T/sa" --script-dir "$CTR_SD" --sysimage "$T/nosys" \
                --scope "label=com.docker.compose.project=$CTR_P-a" 2>>"$CTL_LOG"
        [ "$(cat "$M/a.log")" = "$N-a" ]
        [ ! -e "$M/b.log" ]
        "$CONTRAINER" watch --once --state-dir "$T/sb" --script-dir "$CTR_SD" --sysimage "$T/nosys" \
                --scope "name=^/$N-b\$" 2>>"$CTL_LOG"
        [ "$(cat "$M/b.log")" = "$N-b" ]
        [ "$(cat "$M/a.log")" = "$N-a" ]
}

@test "status shows label registrations and the scope" {
        CRUN_SCRIPTS=$T/empty crun a -l "com.docker.compose.project=$CTR_P-s" \
                -l 'contrainer.hook.st.on=%me:die' -l 'contrainer.hook.st.run=true'
        reg a 10 "%me:stop" "true"
        ctl_start --scope "label=com.docker.compose.project=$CTR_P-s"
        wait_log "label hook 'st' 1 entry"
        get /status | jq -e --arg n "$N-a" --arg s "label=com.docker.compose.project=$CTR_P-s" '
                .scope == [$s] and
                ([.containers[] | select(.name == $n) | .registrations[] | select(.source == "label" and .script == "st")] | length == 1)' >/dev/null
        get /metrics | grep -qxF 'contrainer_registrations_by_source{source="label"} 1'
        get /metrics | grep -qF "contrainer_scope_info{scope=\"label=com.docker.compose.project=$CTR_P-s\"} 1"
        "$CONTRAINER" status --state-dir "$T/state" >"$T/table"
        grep -qF "scope: label=com.docker.compose.project=$CTR_P-s" "$T/table"
        grep -qF "label:st" "$T/table"
}

@test "after lost history the catch-up dispatches the die of a container that ended meanwhile, with its exit code" {
        reg r 10-die "%me:die" "$(ours 'echo "$CONTRAINER_SOURCE_NAME $CONTRAINER_EXIT_CODE" >>"$M/die.log"')"
        ctl_start
        ctl_ready
        crun r
        wait_log "container '$N-r' script '$CTR_SD/10-die' 1 entry"
        ctl_stop
        [ "$CTL_RC" -eq 0 ]
        CRUN_CMD='exit 5' crun d
        wait_for "d ended" 30 sh -c "[ \"\$(docker inspect -f '{{.State.Running}}' $N-d)\" = false ]"
        # The Engine keeps its last 256 events only: push d's die out.
        overflow_events "$N-r"
        ctl_start
        wait_line "$M/die.log" "$N-d 5" 60
        wait_log "got their die dispatched"
        [ "$(grep -c "^$N-d " "$M/die.log")" -eq 1 ]
}

@test "the facts reach bodies on every path: direct, exec API, %contrainer" {
        local body='echo "$CONTRAINER_TARGET $CONTRAINER_SIGNAL $CONTRAINER_LABEL_TEAM ${CONTRAINER_EVENT_TIME:+t}" >>"$M/p.log"'
        CRUN_SCRIPTS=$T/empty crun r -l team=blue \
                -l 'contrainer.hook.p.on=%me:kill,%contrainer:kill' -l "contrainer.hook.p.run=$body"
        ctl_start --dispatch direct --allow "$N-r=me,contrainer,host"
        wait_log "label hook 'p' 2 entries"
        docker kill -s USR1 "$N-r" >/dev/null
        wait_line "$M/p.log" "$N-r 10 blue t"
        wait_line "$M/p.log" "%contrainer 10 blue t"
        wait_for "the direct and local paths in /status" 30 paths_are direct
        ctl_stop
        : >"$M/p.log"
        ctl_start --dispatch api --allow "$N-r=me,contrainer,host"
        wait_log "label hook 'p' 2 entries"
        docker kill -s USR2 "$N-r" >/dev/null
        wait_line "$M/p.log" "$N-r 12 blue t"
        wait_line "$M/p.log" "%contrainer 12 blue t"
        wait_for "the api and local paths in /status" 30 paths_are api
}

@test "the facts reach %host bodies (a stand-in host)" {
        standin_start
        CRUN_SCRIPTS=$T/empty crun r -l team=blue -l 'contrainer.hook.h.on=%host:kill' \
                -l 'contrainer.hook.h.run=echo "$CONTRAINER_TARGET $CONTRAINER_SIGNAL $CONTRAINER_LABEL_TEAM $CONTRAINER_SOURCE_IMAGE $(cat "$HOSTDIR/which")" >>"$M/h.log"'
        ctl_start --sysimage "$SYSIMAGE" --allow "$N-r=host"
        wait_log "label hook 'h' 1 entry"
        docker kill -s USR1 "$N-r" >/dev/null
        wait_line "$M/h.log" "%host 10 blue $WATCH_IMAGE inside"
}
