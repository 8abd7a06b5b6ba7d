#!/bin/sh
# motcua prerm: stop the service before its files go away (not on an
# upgrade: postinst restarts it with the new binary).
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
	deb-systemd-invoke stop motcua.service >/dev/null || true
fi
exit 0
