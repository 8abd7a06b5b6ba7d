// Package printertest has an ESC/POS receipt printer emulator for tests:
// it answers DLE EOT status queries, records the jobs it receives (a job
// ends with a cut, or with the ESC d feed of an escpos.NoCut job), and can
// be told to run out of paper, open its cover, go offline or stay silent.
// [PTY] serves an emulator on a pseudo-terminal, so code under test opens a
// real tty path, and can unplug it and plug it back in under a new name, as
// a USB adapter re-enumerates.
package printertest
