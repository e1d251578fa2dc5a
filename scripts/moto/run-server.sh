#!/usr/bin/env bash
# run-server.sh PIDFILE [LOGFILE]
#
# Starts a moto server (the local fake AWS, PyPI `moto[server]`) on 127.0.0.1
# on a free port, waits until it answers on /moto-api/, prints the port on
# stdout and writes the server's PID to PIDFILE.  The server keeps running in
# the background after this script returns; stop it with
#
#     kill "$(cat PIDFILE)"
#
# The PID written is the Python process serving the requests itself (started
# with `exec`, no wrapper shell, no reloader), so a plain `kill` ends it.
#
# Environment:
#   PYTHON   interpreter that has moto[server] installed (default: python3)
#
# Exit status: 0 when the server answers, 1 when it does not within 30 s (the
# half-started server is then killed and its log printed on stderr).
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 PIDFILE [LOGFILE]" >&2
    exit 2
fi
pidfile=$1
logfile=${2:-${pidfile%.pid}.log}
[ "$logfile" = "$pidfile" ] && logfile=$pidfile.log
python=${PYTHON:-python3}

# Ask the kernel for a free port: bind to port 0, read the port, release it.
port=$("$python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()')

# The background child makes itself a session leader (os.setsid), so it is
# not hit by signals aimed at the caller's process group (e.g. Ctrl-C in the
# calling shell), then execs the server in the same process: the PID we
# record ($!) is the server itself, whatever the caller's job control.
"$python" -c 'import os, sys
os.setsid()
os.execvp(sys.argv[1], [sys.argv[1], "-m", "moto.server", "-H", "127.0.0.1", "-p", sys.argv[2]])' \
    "$python" "$port" </dev/null >"$logfile" 2>&1 &
pid=$!
echo "$pid" >"$pidfile"

for _ in $(seq 1 60); do
    if "$python" -c 'import sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:%s/moto-api/" % sys.argv[1], timeout=1).read()' \
        "$port" 2>/dev/null; then
        echo "$port"
        exit 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        break
    fi
    sleep 0.5
done

echo "moto server on port $port exited or did not answer within 30 s; log:" >&2
cat "$logfile" >&2 || true
kill "$pid" 2>/dev/null || true
exit 1
