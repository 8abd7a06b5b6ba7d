// Package printer connects motcua to receipt printers: transports and the
// supervisor that owns one printer.
//
// [Open] turns an address into a byte stream:
//
//	serial:/dev/ttyUSB0          a serial port (baud, parity, flow control in [Options])
//	usb:04b8:0e28[:SERIAL]       a USB serial adapter or CDC printer found by VID:PID
//	                             (and serial number), wherever it enumerated this time
//	lp:/dev/usb/lp0              the usblp printer class device; status reads may not
//	                             work (the read side then returns [ErrNoStatus] and the
//	                             supervisor falls back to the port status, LPGETSTATUS:
//	                             paper empty, offline, error)
//	tcp:192.168.1.50:9100        a network printer (port 9100 if left out)
//	sim or sim:DIR               a simulated printer that writes each job as a PNG
//
// A [Supervisor] owns one printer: its Run goroutine opens the port through
// [Config].Open, polls the status with DLE EOT 1–4 while idle and before
// each job, prints queued [Job]s in order, reconnects with backoff when the
// device goes away, and reports status changes ([Config].OnStatus) and job
// results ([Config].OnResult). A job never goes to a printer that reports
// no paper, an open cover or an error: it waits in the queue and prints when
// the printer is ready again. A DLE EOT reply does not say which query it
// answers, so after replies failed to come in time the next query waits
// until the late ones came in or the line has been quiet for
// [Config].Settle, so that they are not taken for its answers.
//
// Package printertest has a printer emulator for tests.
package printer
