#!/bin/sh
# motcua postinst: the service user and its groups, the data directory, the
# access tokens, then the service (enabled on the first install only: an
# office that disabled it keeps it disabled across upgrades).
set -e

case "$1" in
configure|abort-upgrade|abort-remove|abort-deconfigure) ;;
*) exit 0 ;;
esac

# Groups that own serial ports, the usblp printer, GPIO, I2C, SPI and sound
# (the udev rules give HID POS scanners to group motcua). Not "input": it
# reads every keyboard; a keyboard-mode scanner needs it added by hand
# (docs/scanners.md). Raspberry Pi OS has them; plain Debian lacks gpio,
# i2c and spi.
for g in dialout lp gpio i2c spi audio; do
	getent group "$g" >/dev/null || groupadd --system "$g"
done
getent group motcua >/dev/null || groupadd --system motcua
if ! getent passwd motcua >/dev/null; then
	useradd --system --gid motcua --home-dir /var/lib/motcua --no-create-home \
		--shell /usr/sbin/nologin --comment "motcua queue daemon" motcua
fi
usermod --append --groups dialout,lp,gpio,i2c,spi,audio motcua

install -d -o motcua -g motcua -m 0750 /var/lib/motcua
install -d -o root -g motcua -m 0750 /etc/motcua
chown root:motcua /etc/motcua/motcua.toml
chmod 0640 /etc/motcua/motcua.toml

# Tokens named by the example configuration. Never overwritten: an
# existing token keeps working on the pages that use it.
umask 077
for t in kiosk display counter admin; do
	f=/etc/motcua/$t.token
	if [ ! -e "$f" ]; then
		tok=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
		printf '%s\n' "$tok" >"$f.new"
		chown root:motcua "$f.new"
		chmod 0640 "$f.new"
		mv "$f.new" "$f"
		echo "motcua: created $f"
	fi
done

if [ -d /run/udev ] && command -v udevadm >/dev/null; then
	udevadm control --reload-rules || true
	udevadm trigger --subsystem-match=tty --subsystem-match=usbmisc \
		--subsystem-match=gpio --subsystem-match=i2c-dev --subsystem-match=spidev \
		--subsystem-match=hidraw --subsystem-match=input || true
fi

# The service, as debhelper's dh_installsystemd does it: enabled on the
# first install; on an upgrade only its state is refreshed, so a service
# the office disabled stays disabled.
deb-systemd-helper unmask motcua.service >/dev/null || true
if deb-systemd-helper --quiet was-enabled motcua.service; then
	deb-systemd-helper enable motcua.service >/dev/null || true
else
	deb-systemd-helper update-state motcua.service >/dev/null || true
fi
if [ -d /run/systemd/system ]; then
	modprobe -qa usbserial cdc_acm usblp 2>/dev/null || true
	systemctl --system daemon-reload >/dev/null || true
	if [ -n "$2" ]; then
		deb-systemd-invoke try-restart motcua.service >/dev/null || true
	else
		deb-systemd-invoke start motcua.service >/dev/null ||
			echo "motcua: the service did not start; see: journalctl -u motcua, motcua doctor -config /etc/motcua/motcua.toml"
	fi
fi

if [ -z "$2" ]; then
	cat <<'MSG'
motcua is installed. Next / Bước tiếp theo:
  1. Edit the office, services and counters / Sửa thông tin đơn vị, dịch vụ, quầy:
       sudo nano /etc/motcua/motcua.toml
  2. Check everything / Kiểm tra toàn bộ:
       sudo -u motcua motcua doctor -config /etc/motcua/motcua.toml
  3. Apply / Áp dụng:  sudo systemctl restart motcua
  Tokens / Mã truy cập: /etc/motcua/*.token    Guide / Hướng dẫn: /usr/share/doc/motcua/deploy.md
MSG
fi
exit 0
