// Package doctor checks that a motcua installation can run the room, and
// explains each finding in plain Vietnamese and English, for the IT
// officer of the office and for whoever supports them.
//
// [Run] loads the configuration and runs every check that applies to it: the
// configuration itself ([CheckConfig]), the data directory and its free space
// ([CheckDataDir]), the clock ([CheckClock]), each serial device
// ([CheckSerial]), each barcode scanner ([CheckScanner]), the ticket printer
// answering its status ([CheckPrinter]), the RS-485 displays and keypads
// answering ([CheckRS485]), SPI and I2C displays ([CheckBusDisplay]), GPIO
// pins being free ([CheckGPIO]), the uplink ([CheckUplink]) and the listen
// port ([CheckListen]). Each check returns a [Result] at [LevelOK],
// [LevelWarn] or [LevelFail]; a failure is something that would stop the room
// working ([Failed]).
//
// When the daemon is running (its data directory is locked), it owns the
// serial ports, so the printer and RS-485 checks ask it instead, through
// its /api/v1/state device list.
package doctor
