// Package modbustest emulates Modbus RTU slaves on a serial line, for tests
// of the master and of the devices that use it (counter displays, keypads),
// and for demos without hardware.
//
// [Pair] opens a raw pseudo-terminal pair: give one end to modbus.New and
// the other to [NewServer]. A [Server] answers for every [Slave] added to
// it, like several devices sharing one RS-485 bus, and can pace its answers
// as if bytes travelled at a given baud rate. Each slave has holding and input
// registers, coils and discrete inputs, and can be told to stay silent, to
// answer late or to corrupt the CRC of its next answers.
package modbustest
