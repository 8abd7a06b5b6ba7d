// Package sdnotify tells systemd how the daemon is doing, through the
// sd_notify protocol: datagrams such as "READY=1" sent to the unix socket
// named by $NOTIFY_SOCKET. It needs no cgo and no libsystemd.
//
// The unit runs the daemon with Type=notify and WatchdogSec=30, so:
//
//   - [Notifier.Ready] once the HTTP listener accepts connections (systemd
//     holds back units ordered after motcua until then);
//   - [Notifier.RunWatchdog] on a ticker at half of [WatchdogInterval],
//     sending "WATCHDOG=1" only while the daemon is healthy, so that a hung
//     daemon is killed and restarted (Restart=always);
//   - [Notifier.Reloading] and then [Notifier.Ready] around a SIGHUP reload;
//   - [Notifier.Stopping] when shutdown starts.
//
// cmd/motcua reads the environment and passes the values in: [New] takes
// $NOTIFY_SOCKET, [WatchdogInterval] takes $WATCHDOG_USEC and $WATCHDOG_PID.
// Outside systemd the socket is empty and every method does nothing.
package sdnotify
