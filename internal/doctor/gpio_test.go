package doctor

import (
	"encoding/binary"
	"testing"
	"unsafe"
)

// lineInfo is struct gpio_v2_line_info from linux/gpio.h, to check the
// offsets and size this package uses against the compiler's layout.
type lineInfo struct {
	_      [32]byte // name
	_      [32]byte // consumer
	offset uint32
	_      uint32 // num_attrs
	flags  uint64
	_      [10]struct {
		id, padding uint32
		value       uint64
	} // attrs
	_ [4]uint32 // padding
}

func TestLineInfoLayout(t *testing.T) {
	var li lineInfo
	if got := unsafe.Sizeof(li); got != gpioLineInfoSize {
		t.Errorf("size: got %d, want %d", got, gpioLineInfoSize)
	}
	if got := unsafe.Offsetof(li.flags); got != 72 {
		t.Errorf("flags offset: got %d, want 72", got)
	}
	if got := unsafe.Offsetof(li.offset); got != 64 {
		t.Errorf("line offset: got %d, want 64", got)
	}
}

func TestParseLineInfo(t *testing.T) {
	tests := []struct {
		name, consumer string
		flags          uint64
		wantUsed       bool
	}{
		{"GPIO17", "", 0, false},
		{"GPIO27", "motcua@812", 1 | 1<<3, true}, // used, output
		{"GPIO4", "w1-gpio", 1, true},
		{"GPIO22", "", 1 << 2, false}, // input only
	}
	for _, tt := range tests {
		b := make([]byte, gpioLineInfoSize)
		copy(b, tt.name)
		copy(b[32:], tt.consumer)
		binary.LittleEndian.PutUint64(b[72:], tt.flags)
		name, consumer, used := parseLineInfo(b)
		if name != tt.name || consumer != tt.consumer || used != tt.wantUsed {
			t.Errorf("got %q %q %v, want %q %q %v", name, consumer, used, tt.name, tt.consumer, tt.wantUsed)
		}
	}
}

func TestIoctlNumbers(t *testing.T) {
	// From linux/gpio.h on 64-bit and 32-bit Linux alike.
	if got := ioc(2, 0x01, gpioChipInfoSize); got != 0x8044b401 {
		t.Errorf("GPIO_GET_CHIPINFO_IOCTL: got %#x, want 0x8044b401", got)
	}
	if got := ioc(3, 0x05, gpioLineInfoSize); got != 0xc100b405 {
		t.Errorf("GPIO_V2_GET_LINEINFO_IOCTL: got %#x, want 0xc100b405", got)
	}
}
