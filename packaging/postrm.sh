#!/bin/sh
# motcua postrm. "remove" keeps the configuration, the tokens and the data.
# "purge" deletes the configuration and the tokens in /etc/motcua but KEEPS
# the ticket history in /var/lib/motcua (public records): delete it by hand
# with "sudo rm -rf /var/lib/motcua" after taking a backup. The motcua user
# is kept, so that files it owns never pass to a new user with its id.
set -e
if [ "$1" = remove ] && command -v deb-systemd-helper >/dev/null; then
	deb-systemd-helper mask motcua.service >/dev/null || true
fi
if [ "$1" = purge ]; then
	if command -v deb-systemd-helper >/dev/null; then
		deb-systemd-helper purge motcua.service >/dev/null || true
		deb-systemd-helper unmask motcua.service >/dev/null || true
	fi
	rm -f /etc/motcua/kiosk.token /etc/motcua/display.token \
		/etc/motcua/counter.token /etc/motcua/admin.token
	rmdir /etc/motcua 2>/dev/null || echo "motcua: /etc/motcua kept: it holds files you added"
	if [ -d /var/lib/motcua ]; then
		echo "motcua: /var/lib/motcua kept (ticket history); remove it yourself when it is no longer needed"
	fi
fi
if [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
if [ -d /run/udev ] && command -v udevadm >/dev/null; then
	udevadm control --reload-rules || true
fi
exit 0
