#!/bin/sh
# motcua prerm: stop the service before its files go away.
set -e
if [ -d /run/systemd/system ]; then
	case "$1" in
	remove|deconfigure)
		systemctl stop motcua.service || true
		systemctl disable motcua.service >/dev/null 2>&1 || true
		;;
	esac
fi
exit 0
