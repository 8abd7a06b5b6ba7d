package doctor

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"motcua/backoff"
	"motcua/devices/modbus"
	"motcua/devices/printer"
	"motcua/kiosk/config"
	"motcua/kiosk/unit"
)

// CheckPrinter opens the printer of p, asks its status (DLE EOT) through
// the printer package's supervisor and says whether it can print: present,
// answering, paper loaded, cover shut. nil p (no [printer]) is fine.
func CheckPrinter(ctx context.Context, p *config.Printer, timeout time.Duration) Result {
	const check = "printer"
	if p == nil {
		return ok(check, "Chưa cấu hình máy in: số thứ tự chỉ hiện trên màn hình kiosk.",
			"No [printer] configured: tickets are only shown on the kiosk page.")
	}
	addr := p.Endpoint.String()
	if p.Endpoint.Scheme == "sim" {
		return ok(check, "Máy in giả lập (sim): không in ra giấy.", "Simulated printer (sim): nothing is printed on paper.")
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	statuses := make(chan printer.Status, 8)
	sup, err := printer.New(printer.Config{
		Name: addr,
		Open: func(ctx context.Context) (io.ReadWriteCloser, error) {
			return unit.OpenPrinter(ctx, p.Endpoint, printer.Options{Baud: p.Baud, Parity: p.Parity, Flow: p.Flow}, "", 0)
		},
		OnStatus: func(s printer.Status) {
			select {
			case statuses <- s:
			default:
			}
		},
		Backoff:      backoff.Policy{Min: timeout, Max: timeout},
		ReplyTimeout: timeout / 2,
		PollInterval: timeout,
	})
	if err != nil {
		return fail(check, "Lỗi kiểm tra máy in: %v", "Printer check failed: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sup.Run(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	var st printer.Status
	select {
	case st = <-statuses:
	case <-ctx.Done():
		return fail(check, "Máy in %s không trả lời trong %v: kiểm tra nguồn, cáp và tốc độ baud.",
			"Printer %s did not answer within %v: check power, cable and baud rate.", addr, timeout)
	}
	detailEN := st.DetailEN
	if st.Err != nil && st.Code == printer.CodeUnplugged {
		detailEN += " (" + st.Err.Error() + ")"
	}
	switch st.Code {
	case printer.CodeOK:
		return ok(check, "Máy in %s trả lời: có giấy, nắp đóng, sẵn sàng in.",
			"Printer %s answers: paper loaded, cover shut, ready.", addr)
	case printer.CodePaperLow, printer.CodeNoStatus:
		return Result{Check: check, Level: LevelWarn,
			VI: fmt.Sprintf("Máy in %s: %s.", addr, st.Detail), EN: fmt.Sprintf("Printer %s: %s.", addr, detailEN)}
	}
	return Result{Check: check, Level: LevelFail,
		VI: fmt.Sprintf("Máy in %s: %s. Không in được phiếu cho đến khi sửa.", addr, st.Detail),
		EN: fmt.Sprintf("Printer %s: %s. No ticket can be printed until this is fixed.", addr, detailEN)}
}

// CheckRS485 opens the RS-485 port and asks each Modbus display and keypad
// for one register: a slave that answers, even with an exception, is on
// the bus.
func CheckRS485(ctx context.Context, cfg *config.Config, timeout time.Duration) []Result {
	r := cfg.RS485
	if r == nil {
		return nil
	}
	const check = "rs485"
	path, err := devicePath(r.Endpoint)
	if err != nil {
		return []Result{fail(check, "Không thấy bộ chuyển RS-485 %s: %v", "RS-485 adapter %s not found: %v", r.Endpoint, err)}
	}
	parity := map[string]modbus.Parity{"": modbus.ParityNone, "none": modbus.ParityNone, "even": modbus.ParityEven, "odd": modbus.ParityOdd}[r.Parity]
	port, err := modbus.OpenSerial(path, r.Baud, parity, 0)
	if err != nil {
		return []Result{fail(check, "Không mở được cổng RS-485 %s: %v. Bảng số và bàn phím trên RS-485 sẽ không chạy.",
			"Cannot open the RS-485 port %s: %v. RS-485 displays and keypads will not work.", path, err)}
	}
	defer port.Close()
	rs := []Result{ok(check, "Cổng RS-485 %s mở được (%d baud).", "RS-485 port %s opens (%d baud).", path, r.Baud)}
	m, err := modbus.New(port, modbus.Config{Name: path, Baud: r.Baud, Parity: parity, Timeout: r.Timeout.D(), Retries: r.Retries})
	if err != nil {
		return append(rs, fail(check, "Lỗi cấu hình Modbus: %v", "Modbus set-up failed: %v", err))
	}
	probe := func(what, whatEN string, slave int) Result {
		name := fmt.Sprintf("%s slave %d", whatEN, slave)
		cctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		_, err := m.ReadHoldingRegisters(cctx, byte(slave), 0, 1)
		if err == nil || errors.Is(err, modbus.ErrException) {
			return ok(name, "%s (địa chỉ %d) trả lời trên RS-485.", "%s (slave %d) answers on RS-485.", what, slave)
		}
		return Result{Check: name, Level: LevelFail,
			VI: fmt.Sprintf("%s (địa chỉ %d) không trả lời: kiểm tra dây A/B (đảo thử), nguồn, địa chỉ, tốc độ baud và điện trở cuối đường 120 Ω. (%v)", what, slave, err),
			EN: fmt.Sprintf("%s (slave %d) does not answer: check the A/B wires (try swapping), power, slave id, baud rate and the 120 Ω terminator. (%v)", whatEN, slave, err)}
	}
	for _, d := range cfg.Displays {
		if d.Driver == config.DriverModbus7Seg {
			rs = append(rs, probe(fmt.Sprintf("Bảng số quầy %d", d.Counter), fmt.Sprintf("display of counter %d", d.Counter), d.Slave))
		}
	}
	for _, k := range cfg.Keypads {
		if k.Slave > 0 {
			rs = append(rs, probe(fmt.Sprintf("Bàn phím %s quầy %d", k.Kind, k.Counter), fmt.Sprintf("%s keypad of counter %d", k.Kind, k.Counter), k.Slave))
		}
	}
	return rs
}

// CheckBusDisplay checks the SPI or I2C bus of a max7219 or ht16k33
// display; an HT16K33 is asked for one byte at its address. A MAX7219
// cannot answer, so only its bus is checked.
func CheckBusDisplay(d config.Display) Result {
	check := fmt.Sprintf("display %d", d.Counter)
	switch d.Driver {
	case config.DriverMAX7219:
		// "SPI0.0" is /dev/spidev0.0.
		path := "/dev/spidev" + strings.TrimPrefix(d.Bus, "SPI")
		fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			return fail(check, "Không mở được %s cho bảng số quầy %d: %v. Bật SPI: sudo raspi-config → Interface Options → SPI.",
				"Cannot open %s for the display of counter %d: %v. Enable SPI: sudo raspi-config → Interface Options → SPI.", path, d.Counter, err)
		}
		unix.Close(fd)
		return ok(check, "Bus %s của bảng số quầy %d mở được (MAX7219 không trả lời được; hãy nhìn bảng khi motcua chạy).",
			"Bus %s of the display of counter %d opens (a MAX7219 cannot answer; look at it while motcua runs).", path, d.Counter)
	case config.DriverHT16K33:
		path := "/dev/i2c-" + strings.TrimPrefix(d.Bus, "I2C")
		addr := d.Address
		if addr == 0 {
			addr = 0x70
		}
		fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			return fail(check, "Không mở được %s cho bảng số quầy %d: %v. Bật I2C: sudo raspi-config → Interface Options → I2C.",
				"Cannot open %s for the display of counter %d: %v. Enable I2C: sudo raspi-config → Interface Options → I2C.", path, d.Counter, err)
		}
		defer unix.Close(fd)
		const i2cSlave = 0x0703
		if err := unix.IoctlSetInt(fd, i2cSlave, addr); err != nil {
			return warn(check, "Địa chỉ %#x trên %s đang bị driver khác dùng: %v.", "Address %#x on %s is used by another driver: %v.", addr, path, err)
		}
		b := make([]byte, 1)
		if _, err := unix.Read(fd, b); err != nil {
			return fail(check, "Bảng số quầy %d (HT16K33, %s địa chỉ %#x) không trả lời: kiểm tra dây SDA/SCL, nguồn 3,3 V và cầu hàn địa chỉ. (%v)",
				"Display of counter %d (HT16K33, %s address %#x) does not answer: check SDA/SCL, 3.3 V power and the address jumpers. (%v)", d.Counter, path, addr, err)
		}
		return ok(check, "Bảng số quầy %d (HT16K33, %s địa chỉ %#x) trả lời.", "Display of counter %d (HT16K33, %s address %#x) answers.", d.Counter, path, addr)
	}
	return ok(check, "Bảng số quầy %d: %s.", "Display of counter %d: %s.", d.Counter, d.Driver)
}

// Pins returns every GPIO pin the configuration uses, in order.
func Pins(cfg *config.Config) []string {
	var ps []string
	for _, b := range cfg.Buttons {
		ps = append(ps, b.Pin)
	}
	for _, o := range cfg.Outputs {
		ps = append(ps, o.Pin)
	}
	for _, k := range cfg.Keypads {
		for s := 4; s >= 1; s-- {
			if p := k.Pins.Pin(s); p != "" {
				ps = append(ps, p)
			}
		}
	}
	return ps
}

// CheckGPIO looks up each pin by its line name on the GPIO character
// devices and reports whether another program holds it. A line held by a
// motcua process is fine.
func CheckGPIO(pins []string) []Result {
	if len(pins) == 0 {
		return nil
	}
	lines, err := gpioLines("/dev")
	if err != nil {
		return []Result{fail("gpio", "Không đọc được GPIO: %v. Nút bấm và đèn sẽ không chạy.", "Cannot read GPIO: %v. Buttons and lamps will not work.", err)}
	}
	var rs []Result
	for _, p := range pins {
		check := "gpio " + p
		l, found := lines[p]
		switch {
		case !found:
			rs = append(rs, fail(check, "Không có chân %s trên máy này. Lệnh \"motcua devices\" liệt kê các chân; sửa tên chân trong cấu hình.",
				"There is no pin %s on this machine. \"motcua devices\" lists them; fix the pin name in the configuration.", p))
		case l.used && !strings.HasPrefix(l.consumer, "motcua"):
			who := l.consumer
			if who == "" {
				who = "kernel"
			}
			rs = append(rs, fail(check, "Chân %s (%s dòng %d) đang bị \"%s\" dùng: tắt chương trình hoặc overlay đó (xem /boot/firmware/config.txt), hoặc chọn chân khác.",
				"Pin %s (%s line %d) is held by %q: stop that program or overlay (see /boot/firmware/config.txt), or pick another pin.", p, l.chip, l.offset, who))
		case l.used:
			rs = append(rs, ok(check, "Chân %s đang do motcua dùng.", "Pin %s is held by motcua.", p))
		default:
			rs = append(rs, ok(check, "Chân %s (%s dòng %d) còn trống.", "Pin %s (%s line %d) is free.", p, l.chip, l.offset))
		}
	}
	return rs
}

type gpioLine struct {
	chip     string
	offset   int
	consumer string
	used     bool
}

// The GPIO character device uAPI (linux/gpio.h, v2).
const (
	gpioNameSize     = 32
	gpioChipInfoSize = 2*gpioNameSize + 4
	gpioLineInfoSize = 2*gpioNameSize + 4 + 4 + 8 + 10*16 + 4*4
	gpioLineUsed     = 1 << 0
)

func ioc(dir, nr, size uintptr) uintptr { return dir<<30 | size<<16 | 0xb4<<8 | nr }

// gpioLines reads the lines of every gpiochip under dev, by name.
func gpioLines(dev string) (map[string]gpioLine, error) {
	ents, err := os.ReadDir(dev)
	if err != nil {
		return nil, err
	}
	lines := map[string]gpioLine{}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "gpiochip") {
			continue
		}
		if err := readChip(dev+"/"+e.Name(), lines); err != nil {
			return nil, err
		}
	}
	return lines, nil
}

func readChip(path string, lines map[string]gpioLine) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	var ci [gpioChipInfoSize]byte
	if err := ioctlPtr(fd, ioc(2, 0x01, gpioChipInfoSize), ci[:]); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	n := int(ci[64]) | int(ci[65])<<8 | int(ci[66])<<16 | int(ci[67])<<24
	for off := 0; off < n; off++ {
		var li [gpioLineInfoSize]byte
		li[64], li[65], li[66], li[67] = byte(off), byte(off>>8), byte(off>>16), byte(off>>24)
		if err := ioctlPtr(fd, ioc(3, 0x05, gpioLineInfoSize), li[:]); err != nil {
			return fmt.Errorf("%s line %d: %w", path, off, err)
		}
		name, consumer, used := parseLineInfo(li[:])
		if name == "" {
			continue
		}
		if _, dup := lines[name]; !dup {
			lines[name] = gpioLine{chip: path, offset: off, consumer: consumer, used: used}
		}
	}
	return nil
}

// parseLineInfo decodes a struct gpio_v2_line_info: name, consumer and
// the GPIO_V2_LINE_FLAG_USED bit of flags (little-endian u64 at 72).
func parseLineInfo(li []byte) (name, consumer string, used bool) {
	flags := binary.LittleEndian.Uint64(li[72:80])
	return cstr(li[:32]), cstr(li[32:64]), flags&gpioLineUsed != 0
}

func cstr(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func ioctlPtr(fd int, req uintptr, b []byte) error {
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, uintptr(unsafe.Pointer(&b[0]))); e != 0 {
		return e
	}
	return nil
}
