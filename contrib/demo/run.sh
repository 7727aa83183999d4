#!/bin/sh
# Run feedmuxd on the bundled demo feeds: write a configuration under
# ./demo-state (file:// feeds through allow_file, SQLite in that folder),
# print the URLs to open or subscribe to, and stay in the foreground.
#
#	contrib/demo/run.sh [BUILDDIR]
#
# FEEDMUX_DEMO_PORT sets the port (default 8080).

set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
port=${FEEDMUX_DEMO_PORT:-8080}
state=$top/demo-state
feeds=$top/contrib/demo/feeds

mkdir -p "$state"
conf=$state/feedmux.conf
cat >"$conf" <<EOT
; Written by contrib/demo/run.sh: the demo configuration.
[daemon]
database = $state/feedmux.db
listen = 127.0.0.1:$port
control = $state/control.sock
title = Korea Watch
allow_file = true
interval = 30m

[feed "file://$feeds/cnn.rss"]
label = CNN

[feed "file://$feeds/economist.atom"]
label = The Economist

[feed "file://$feeds/bbc.rss"]
label = BBC

[feed "file://$feeds/npr.atom"]
label = NPR

[feed "file://$feeds/washingtonpost.rss"]
label = Washington Post

[feed "file://$feeds/upi.rss"]
label = UPI

[feed "file://$feeds/bloomberg.atom"]
label = Bloomberg
EOT

cat <<EOT

feedmux demo: 7 sample feeds, configuration in $conf

  Page:       http://127.0.0.1:$port/
  Atom feed:  http://127.0.0.1:$port/feed.atom
  RSS feed:   http://127.0.0.1:$port/feed.rss
  Health:     http://127.0.0.1:$port/healthz

  CLI:        $build/cli/feedmux -c $conf entries

Stop with Ctrl-C.

EOT
exec "$build/daemon/feedmuxd" -c "$conf"
