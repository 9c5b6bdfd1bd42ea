#!/usr/bin/env bats
# The worked examples of examples/ (autoheal, exit-alert, nginx-reload,
# two-projects), run as shipped: their compose files with Debian's
# docker-compose and their watch.sh, against a real Engine (this file's
# private dockerd, see watch_helpers.bash).  Stock images only: busybox
# (BUSYBOX_IMAGE) and an nginx image made from Debian's package
# (tests/images/nginx.sh); every hook comes from labels.
#
# Each test needs features of the controller (label hooks, event facts,
# --scope): when the binary under test lacks one, the test skips and says
# which, so that it runs by itself once the feature is there.
#
# Names: compose projects are "$N-SHORT" (their containers "$N-SHORT_svc_1",
# their networks "$N-SHORT_default"), removed in teardown with
# `docker-compose down`, and whatever is left by name prefix.

# shellcheck disable=SC2016,SC2034 # bodies are shell text expanded where they run; CTL_ENV is read by the helpers
load watch_helpers

setup_file() {
        watch_setup_file
        TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
        export TOP
        # the examples' compose files take their images from these
        export BUSYBOX_IMAGE=$WATCH_IMAGE
        export NGINX_IMAGE="$CTR_P-nginx:bookworm"
}
teardown_file() { watch_teardown_file; }
setup() {
        watch_setup
        command -v docker-compose >/dev/null ||
                skip "docker-compose is not installed (apt-get install docker-compose)"
}
teardown() {
        local p n
        standin_stop
        if [ -f "$T/projects" ]; then
                while read -r p n; do
                        timeout 60 docker-compose --no-ansi -p "$p" -f "$TOP/examples/$n/docker-compose.yml" \
                                down -v -t 1 >/dev/null 2>&1 || true
                done <"$T/projects"
        fi
        watch_teardown
        for n in $(docker network ls --format '{{.Name}}' 2>/dev/null | grep -F -- "$N-" || true); do
                docker network rm "$n" >/dev/null 2>&1 || true
        done
}

# ---- features of the binary under test ----------------------------------------
need_label_hooks() {
        grep -qaF 'contrainer.hook' "$CONTRAINER" ||
                skip "label hooks (contrainer.hook.NAME.on/.run) are not in this contrainer yet"
}
need_fact() { # VARIABLE
        grep -qaF "$1" "$CONTRAINER" || skip "$1 is not in this contrainer yet"
}
need_scope() {
        "$CONTRAINER" watch --help 2>&1 | grep -q -- --scope ||
                skip "watch --scope is not in this contrainer yet"
}

# ---- compose and controllers ----------------------------------------------------

# compose SHORT EXAMPLE ARGS...: docker-compose on examples/EXAMPLE's file as
# project $N-SHORT (recorded for teardown), bounded.
compose() {
        local p="$N-$1" ex=$2
        shift 2
        grep -qxF "$p $ex" "$T/projects" 2>/dev/null || echo "$p $ex" >>"$T/projects"
        timeout 90 docker-compose --no-ansi -p "$p" -f "$TOP/examples/$ex/docker-compose.yml" "$@"
}

# ex_ctl EXAMPLE PROJECT STATE LOG [watch options...]: the example's own
# watch.sh (its --allow / --scope) with this test's state dir STATE, log LOG,
# script dir and bounds; CTL_PID is its PID.  CTL_ENV adds environment.
ex_ctl() {
        local ex=$1 project=$2 state=$3 log=$4
        shift 4
        mkdir -p "$state"
        case " $* " in *" --sysimage "*) ;; *) set -- "$@" --sysimage "$T/no-sysimage" ;; esac
        env M="$M" CONTRAINER="$CONTRAINER" ${CTL_ENV[@]+"${CTL_ENV[@]}"} \
                "$TOP/examples/$ex/watch.sh" "$project" --state-dir "$state" \
                --script-dir "$CTR_SD" --exec-timeout 20 "$@" \
                </dev/null >>"$T/ctl.out" 2>>"$log" 3>&- &
        CTL_PID=$!
        echo "$CTL_PID" >>"$T/pids"
}

# ctl_live STATE: the controller of STATE says its event stream is live.
ctl_live() { "$CONTRAINER" status --state-dir "$1" --health >/dev/null 2>&1; }
wait_live() { wait_for "controller of $1 live" 30 ctl_live "$1"; }

started_at() { docker inspect -f '{{.State.StartedAt}}' "$1" 2>/dev/null; }
health() { docker inspect -f '{{.State.Health.Status}}' "$1" 2>/dev/null; }
is_health() { [ "$(health "$1")" = "$2" ]; }
started_after() { local s; s=$(started_at "$1") && [ -n "$s" ] && [ "$s" != "$2" ]; }

# standin_start, standin_stop: the stand-in host (watch_helpers.bash).

# ---- 0. the shipped files, with no controller feature needed -------------------

@test "examples: every compose file parses, every hook has a header and a body that is valid sh, every watch.sh is executable" {
        local ex n=0
        for ex in autoheal exit-alert nginx-reload two-projects; do
                [ -f "$TOP/examples/$ex/docker-compose.yml" ]
                grep -qF "$ex/" "$TOP/examples/README.md"
                docker-compose --no-ansi -f "$TOP/examples/$ex/docker-compose.yml" config >"$T/$ex.yml"
                [ "$ex" = nginx-reload ] || [ -x "$TOP/examples/$ex/watch.sh" ]
                # compose's config prints "$$" as is: each body as sh will see it
                python3 - "$T/$ex.yml" "$T/$ex" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
k = 0
for svc, d in doc["services"].items():
    labels = d.get("labels") or {}
    for key, val in labels.items():
        if key.startswith("contrainer.hook.") and key.endswith(".on"):
            run = labels.get(key[:-3] + ".run")
            assert run, "%s: %s has no .run" % (svc, key)
            k += 1
            open("%s.%s.%d.sh" % (sys.argv[2], svc, k), "w").write(run.replace("$$", "$"))
assert k > 0, "no hook in " + sys.argv[1]
PY
                for b in "$T/$ex".*.sh; do
                        sh -n "$b"
                        n=$((n + 1))
                done
        done
        [ "$n" -ge 4 ]
}

# ---- 1. autoheal ----------------------------------------------------------------

@test "autoheal: a %contrainer label hook on unhealthy restarts the container through the socket" {
        need_label_hooks
        need_fact CONTRAINER_HEALTH
        ex_ctl autoheal "$N-heal" "$T/state" "$CTL_LOG"
        wait_live "$T/state"
        compose heal autoheal up -d
        local c="$N-heal_app_1" t0
        wait_for "$c healthy" 30 is_health "$c" healthy
        t0=$(started_at "$c")
        # a bystander outside the allowed project, made unhealthy as well, is
        # not restarted: its hook (the same labels) is denied by the policy
        docker run -d --name "$N-other" --network none --health-cmd 'test ! -e /tmp/sick' \
                --health-interval 1s --health-retries 1 \
                --label 'contrainer.hook.autoheal.on=%contrainer:unhealthy' \
                --label 'contrainer.hook.autoheal.run=echo ran >>"$M/other.healed"' \
                "$WATCH_IMAGE" "${WATCH_CMD[@]}" >/dev/null
        docker exec "$N-other" touch /tmp/sick
        docker exec "$c" touch /tmp/sick
        wait_for "$c unhealthy and restarted (StartedAt changes)" 60 started_after "$c" "$t0"
        # the fresh start removed /tmp/sick: healthy again, and running
        wait_for "$c healthy after the restart" 30 is_health "$c" healthy
        [ "$(docker inspect -f '{{.State.Running}}' "$c")" = true ]
        wait_for "$N-other unhealthy" 30 is_health "$N-other" unhealthy
        wait_log denied
        log_grep denied "$N-other"
        expect_absent "$M/other.healed"
        # it was the hook, on unhealthy (not a restart policy: there is none)
        [ "$(docker inspect -f '{{.HostConfig.RestartPolicy.Name}}' "$c")" != always ]
        wait_log "autoheal: restarted $c (unhealthy at 20"
}

# ---- 2. exit-code alerting --------------------------------------------------------

@test "exit-alert: a %host label hook on die logs name, image and exit code on the host; exit 0 is quiet" {
        need_label_hooks
        need_fact CONTRAINER_EXIT_CODE
        need_fact CONTRAINER_SOURCE_IMAGE
        standin_start
        ex_ctl exit-alert "$N-jobs" "$T/state" "$CTL_LOG" --sysimage "$SYSIMAGE"
        wait_live "$T/state"
        # the log's path is a label of the compose file (EXIT_LOG)
        EXIT_LOG=$M/exits.log compose jobs exit-alert up -d
        # "ok" exits 0 after 1 s, "failing" 3 after 3 s; bodies on %host run
        # one at a time in event order, so once failing's line is there, ok's
        # die has been handled too.
        wait_lines "$M/exits.log" 1 40
        [ "$(docker inspect -f '{{.State.ExitCode}}' "$N-jobs_ok_1")" = 0 ]
        [ "$(nlines "$M/exits.log")" = 1 ]
        grep -E "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+) name=$N-jobs_failing_1 image=$WATCH_IMAGE exit=3\$" "$M/exits.log"
        # one more failure, by hand, with another code: a second line
        docker start "$N-jobs_failing_1" >/dev/null
        wait_lines "$M/exits.log" 2 30
        [ "$(grep -c "name=$N-jobs_failing_1 .* exit=3\$" "$M/exits.log")" = 2 ]
        refute grep -q "_ok_" "$M/exits.log"
}

# ---- 3. nginx reload ---------------------------------------------------------------

nginx_c() { echo "$N-web_nginx_1"; }
members() { docker exec "$(nginx_c)" wget -qO- http://127.0.0.1:8080/members 2>/dev/null; }
members_has() { members | grep -qw -- "$1"; }
members_lacks() { local m; m=$(members) && ! grep -qw -- "$1" <<<"$m"; }
# the PIDs of nginx's worker processes (a reload replaces them all)
workers() {
        docker exec "$(nginx_c)" sh -c 'for f in /proc/[0-9]*/cmdline; do
                case "$(tr -d "\0" <"$f" 2>/dev/null)" in "nginx: worker"*) echo "${f%/cmdline}" ;; esac
        done' 2>/dev/null | sort | tr '\n' ' '
}
workers_not() { local w; w=$(workers) && [ -n "$w" ] && [ "$w" != "$1" ]; }

@test "nginx-reload: a stock nginx, hooked from labels only, reloads when a member of its project starts or dies" {
        need_label_hooks
        timeout 100 "$TOP/tests/images/nginx.sh" "$NGINX_IMAGE"
        # the image carries nothing of contrainer
        run docker run --rm --name "$N-look" --network none --entrypoint sh "$NGINX_IMAGE" -c 'ls -d /contrainer 2>&1; nginx -v 2>&1'
        [[ "$output" == *"No such file"* ]]
        [[ "$output" == *"nginx version"* ]]
        [[ "$(docker image inspect -f '{{json .Config.Labels}}' "$NGINX_IMAGE")" != *contrainer* ]]
        ctl_start
        wait_live "$T/state"
        # a container outside the project: never a member
        crun other
        compose web nginx-reload up -d
        local ng m0 w0 w1
        ng=$(nginx_c)
        wait_for "$N-web_app_1 in nginx's /members" 30 members_has "$N-web_app_1"
        refute members_has "$N-other"
        refute members_has "$ng"
        m0=$(docker exec "$ng" cat /run/nginx.pid)
        w0=$(workers)
        # a second member starts: nginx reloads (new workers, same master)
        compose web nginx-reload up -d --scale app=2
        wait_for "$N-web_app_2 in /members" 30 members_has "$N-web_app_2"
        wait_for "new nginx workers after the reload" 20 workers_not "$w0"
        w1=$(workers)
        [ "$(docker exec "$ng" cat /run/nginx.pid)" = "$m0" ]
        # a member dies: it leaves /members, nginx reloads again
        docker stop -t 1 "$N-web_app_1" >/dev/null
        wait_for "$N-web_app_1 gone from /members" 30 members_lacks "$N-web_app_1"
        members_has "$N-web_app_2"
        wait_for "new nginx workers after the second reload" 20 workers_not "$w1"
        [ "$(docker exec "$ng" cat /run/nginx.pid)" = "$m0" ]
        # the other container dying changes nothing
        docker stop -t 1 "$N-other" >/dev/null
        members_has "$N-web_app_2"
        log_has "nginx reloaded: start of $N-web_app_2"
}

# ---- 4. two projects, two scoped controllers ------------------------------------------

@test "two-projects: two scoped controllers on one Engine never run each other's hooks" {
        need_label_hooks
        need_scope
        CTL_ENV=(HOOK_LOG="$M/shop.log")
        ex_ctl two-projects "$N-shop" "$T/state-shop" "$CTL_LOG"
        local shop_pid=$CTL_PID
        CTL_ENV=(HOOK_LOG="$M/blog.log")
        ex_ctl two-projects "$N-blog" "$T/state-blog" "$T/ctl-blog.log"
        wait_live "$T/state-shop"
        wait_live "$T/state-blog"
        compose shop two-projects up -d
        compose blog two-projects up -d
        # an unscoped container with the same hook: neither controller sees it
        docker run -d --name "$N-loose" --network none \
                --label 'contrainer.hook.audit.on=%contrainer:start' \
                --label 'contrainer.hook.audit.run=echo "loose $CONTRAINER_SOURCE_NAME" >>"$HOOK_LOG"' \
                "$WATCH_IMAGE" "${WATCH_CMD[@]}" >/dev/null
        local p
        for p in shop blog; do
                wait_line "$M/$p.log" "$N-${p}_app_1 saw start of $N-${p}_worker_1 (project $N-$p)"
                wait_line "$M/$p.log" "$N-${p}_app_1 saw start of $N-${p}_app_1 (project $N-$p)"
        done
        # a death in blog reaches only blog's controller
        docker stop -t 1 "$N-blog_worker_1" >/dev/null
        wait_line "$M/blog.log" "$N-blog_app_1 saw die of $N-blog_worker_1 (project $N-blog)"
        # and a later start in shop, only shop's (the last event of this test)
        docker stop -t 1 "$N-shop_worker_1" >/dev/null
        docker start "$N-shop_worker_1" >/dev/null
        wait_for "shop's second start" 30 grep_ge 2 "$M/shop.log" -F "saw start of $N-shop_worker_1"
        refute grep -F -e blog -e loose "$M/shop.log"
        refute grep -F -e shop -e loose "$M/blog.log"
        # each controller holds only its project's registrations
        "$CONTRAINER" status --state-dir "$T/state-shop" --json >"$T/shop.json"
        refute grep -qF "$N-blog" "$T/shop.json"
        refute grep -qF "$N-loose" "$T/shop.json"
        grep -qF "$N-shop_app_1" "$T/shop.json"
        kill -0 "$shop_pid"
}
