# shellcheck shell=bash
# Helpers every bats suite shares; init_helpers.bash, watch_helpers.bash and
# images_helpers.bash load this file.

# wait_for DESCRIPTION SECONDS CMD...: poll CMD every 0.05 s until it
# succeeds; after SECONDS say "timed out ... waiting for: DESCRIPTION" and
# return 1.  A suite may define wait_for_abort DESCRIPTION: when it succeeds
# (what CMD waits for can no longer come, e.g. the process under test
# exited; it says so itself) wait_for returns 1 at once.
# The init suites' older form `wait_for SECONDS CMD...` still works (the
# command is then the description).
wait_for() {
        if [[ $1 =~ ^[0-9]+$ ]] && ! [[ ${2:-} =~ ^[0-9]+$ ]]; then
                set -- "${*:2}" "$@"
        fi
        local what=$1 secs=$2 deadline now
        deadline=$(( ${EPOCHREALTIME/./} + $2 * 1000000 ))  # µs (bash 5)
        shift 2
        until "$@"; do
                if declare -F wait_for_abort >/dev/null && wait_for_abort "$what"; then
                        return 1
                fi
                now=${EPOCHREALTIME/./}
                if [ "$now" -ge "$deadline" ]; then
                        echo "timed out after ${secs}s waiting for: $what" >&2
                        return 1
                fi
                sleep 0.05
        done
}
