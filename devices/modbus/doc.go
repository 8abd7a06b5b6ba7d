// Package modbus is a Modbus RTU master for the one RS-485 bus of a queue room.
//
// A [Master] owns the serial port it is given (an io.ReadWriter that can time
// out reads: a go.bug.st/serial Port from [OpenSerial], an *os.File such as a
// pseudo-terminal, or a net.Conn) and serialises every transaction on it, so
// the counter displays (package display/modbus7seg) and the keypads (package
// devices/keypad) can call it from their own goroutines.
//
// Framing follows the Modbus over serial line specification V1.02:
//   - a request is sent only after the bus has been silent for 3.5 character
//     times, computed from the baud rate and the character format (11 bits for
//     8E1, 8O1 and 8N2, 10 bits for 8N1);
//   - every frame ends with a CRC-16/MODBUS, low byte first;
//   - the end of a response is found from its function code and byte count, so
//     the master does not depend on timing a 1.5-character gap in user space;
//   - a response has to arrive within [Config.Timeout] of the request having
//     left the wire; timeouts and CRC errors are retried [Config.Retries] times;
//     a Modbus exception is returned at once as an *[ExceptionError];
//   - bytes left over from a late or broken answer are drained before the next
//     request, and a complete frame from another slave is skipped.
//
// Supported functions: 01 read coils, 02 read discrete inputs, 03 read holding
// registers, 04 read input registers, 06 write single register and 16 write
// multiple registers. Package modbus/modbustest emulates slaves for tests.
package modbus
