package doctor

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"motcua/devices/inventory"
	"motcua/kiosk/config"
)

// CheckScanner checks a [[scanner]]: its device is present and svcUser may
// open it; a hidraw device must be a scanner in HID POS mode (not its
// keyboard interface); with tryOpen (not while the daemon holds it) it also
// opens it, and grabs and releases an evdev device, which fails when
// another program holds it.
func CheckScanner(s config.Scanner, svcUser string, tryOpen bool) Result {
	where := "kiosk"
	if s.Counter != 0 {
		where = fmt.Sprintf("counter %d", s.Counter)
	}
	check := "scanner " + where
	e := s.Endpoint
	switch e.Scheme {
	case "sim":
		return ok(check, "Máy quét mã giả lập (sim) ở %s: quét qua POST /api/v1/sim/scan.",
			"Simulated scanner (sim) at the %s: scans come from POST /api/v1/sim/scan.", where)
	case "serial":
		return CheckSerial(check, e, svcUser, tryOpen)
	}
	path := e.Path
	st, err := os.Stat(path)
	if err != nil {
		return fail(check, "Không thấy máy quét mã %s: cắm cáp USB; lệnh \"motcua devices\" liệt kê máy quét. (%v)",
			"Scanner %s is missing: plug it in; \"motcua devices\" lists the scanners there are. (%v)", path, err)
	}
	if st.Mode()&os.ModeCharDevice == 0 {
		return fail(check, "%s không phải thiết bị. Sửa địa chỉ máy quét trong tệp cấu hình.",
			"%s is not a device. Fix the scanner's address in the configuration.", path)
	}
	if sys, _ := st.Sys().(*syscall.Stat_t); sys != nil {
		if u, err := user.Lookup(svcUser); err == nil && !mayOpen(u, sys, st.Mode().Perm()) {
			group := strconv.Itoa(int(sys.Gid))
			if g, err := user.LookupGroupId(group); err == nil {
				group = g.Name
			}
			return fail(check, "Người dùng %s không mở được %s (nhóm %s). Sửa: sudo usermod -aG %s %s (hoặc quy tắc udev) rồi khởi động lại dịch vụ.",
				"User %s cannot open %s (group %s). Fix: sudo usermod -aG %s %s (or a udev rule) and restart the service.",
				svcUser, path, group, group, svcUser)
		}
	}
	if e.Scheme == "hidraw" {
		pos, err := inventory.IsHIDPOS(path)
		switch {
		case err != nil:
			return warn(check, "Không biết %s có phải máy quét chế độ HID POS không: %v.", "Cannot tell whether %s is a scanner in HID POS mode: %v.", path, err)
		case !pos:
			return fail(check, "%s không phải máy quét chế độ HID POS (có thể là giao diện bàn phím): quét mã cấu hình HID POS trong sách hướng dẫn, hoặc dùng evdev:.",
				"%s is not a scanner in HID POS mode (it may be its keyboard interface): scan the HID POS setting code of its manual, or use evdev:.", path)
		}
	}
	if tryOpen {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			return fail(check, "Không mở được %s: %v. Người chạy lệnh này có thể thiếu quyền; thử: sudo -u %s motcua doctor ...",
				"Cannot open %s: %v. You may lack the rights; try: sudo -u %s motcua doctor ...", path, err, svcUser)
		}
		defer unix.Close(fd)
		if e.Scheme == "evdev" {
			const eviocgrab = 0x40044590
			if err := unix.IoctlSetInt(fd, eviocgrab, 1); err != nil {
				if errors.Is(err, unix.EBUSY) {
					return fail(check, "%s đang bị chương trình khác chiếm (motcua khác?). Đóng chương trình đó.",
						"%s is grabbed by another program (another motcua?). Close it.", path)
				}
				return fail(check, "%s không phải bàn phím (evdev): %v.", "%s is not an input event device: %v.", path, err)
			}
			unix.IoctlSetInt(fd, eviocgrab, 0)
		}
	}
	return ok(check, "Máy quét mã %s có mặt; người dùng %s mở được.", "Scanner %s is present; user %s may open it.", e, svcUser)
}
