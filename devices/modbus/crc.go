package modbus

// crcTable is the byte-wise table of the reflected polynomial 0xA001.
var crcTable = func() [256]uint16 {
	var t [256]uint16
	for i := range t {
		c := uint16(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xA001
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return t
}()

// CRC returns the CRC-16/MODBUS of b (initial value 0xFFFF, reflected
// polynomial 0xA001). On the wire it is sent low byte first.
func CRC(b []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, c := range b {
		crc = crc>>8 ^ crcTable[byte(crc)^c]
	}
	return crc
}

// AppendCRC appends the CRC of frame to frame, low byte first.
func AppendCRC(frame []byte) []byte {
	c := CRC(frame)
	return append(frame, byte(c), byte(c>>8))
}

// checkCRC reports whether frame (at least 3 bytes) ends with the CRC of the
// bytes before it.
func checkCRC(frame []byte) bool {
	if len(frame) < 3 {
		return false
	}
	n := len(frame) - 2
	c := CRC(frame[:n])
	return frame[n] == byte(c) && frame[n+1] == byte(c>>8)
}
