package doctor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"motcua/clock"
	"motcua/devices/printer"
	"motcua/kiosk/config"
	"motcua/kiosk/eventlog"
)

// Options configure [Run]. The zero value checks this machine.
type Options struct {
	// Clock tells whether the wall clock is synchronised; nil is
	// clock.System{}.
	Clock interface{ Synced() bool }
	// Timeout bounds each device and network check; 0 is 3 s.
	Timeout time.Duration
	// User is the service user that must be able to open the devices;
	// "" is "motcua". A user that does not exist is not checked.
	User string
}

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return 3 * time.Second
	}
	return o.Timeout
}

// Run loads the configuration at path and runs every check that applies.
// It returns the results in a stable order; see [Failed] and [Write].
func Run(ctx context.Context, path string, o Options) []Result {
	cfg, r := CheckConfig(path)
	rs := []Result{r}
	if cfg == nil {
		return rs
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.User == "" {
		o.User = "motcua"
	}
	pid, running := eventlog.Locked(cfg.Server.DataDir)
	rs = append(rs, CheckDataDir(cfg.Server.DataDir, o.User)...)
	rs = append(rs, CheckClock(o.Clock))
	if running {
		rs = append(rs, ok("daemon", "motcua đang chạy (pid %s): máy in và cổng RS-485 được kiểm tra qua chính nó.",
			"motcua is running (pid %s): the printer and the RS-485 bus are checked through it.", pid))
	}
	for _, d := range serialDevices(cfg) {
		rs = append(rs, CheckSerial(d.check, d.endpoint, o.User, !running))
	}
	for _, s := range cfg.Scanners {
		rs = append(rs, CheckScanner(s, o.User, !running))
	}
	if running {
		rs = append(rs, CheckRunningDevices(ctx, cfg, o.timeout())...)
	} else {
		rs = append(rs, CheckPrinter(ctx, cfg.Printer, o.timeout()))
		for _, k := range cfg.Kiosks {
			if k.Printer != nil {
				r := CheckPrinter(ctx, k.Printer, o.timeout())
				r.Check += " " + k.ID
				rs = append(rs, r)
			}
		}
		rs = append(rs, CheckRS485(ctx, cfg, o.timeout())...)
	}
	for _, d := range cfg.Displays {
		if d.Driver == config.DriverMAX7219 || d.Driver == config.DriverHT16K33 {
			rs = append(rs, CheckBusDisplay(d))
		}
	}
	rs = append(rs, CheckGPIO(Pins(cfg))...)
	rs = append(rs, CheckUplink(ctx, cfg, o.timeout()))
	rs = append(rs, CheckListen(ctx, cfg.Server.Listen, o.timeout()))
	return rs
}

// CheckConfig loads and validates the configuration file. It returns the
// configuration when it is usable by "motcua run", else nil.
func CheckConfig(path string) (*config.Config, Result) {
	cfg, err := config.LoadRun(path)
	if err != nil {
		msg := strings.TrimSpace(err.Error())
		return nil, fail("config", "Tệp cấu hình %s có lỗi, motcua không chạy được. Sửa từng dòng dưới đây rồi chạy lại:\n%s",
			"The configuration file %s has errors; motcua cannot run. Fix each line below and run again:\n%s",
			path, indent(msg))
	}
	return cfg, ok("config", "Tệp cấu hình %s hợp lệ: %d lĩnh vực, %d quầy, %d mã truy cập.",
		"Configuration %s is valid: %d services, %d counters, %d tokens.",
		path, len(cfg.Services), len(cfg.Counters), len(cfg.Tokens))
}

func indent(s string) string {
	return "         " + strings.ReplaceAll(s, "\n", "\n         ")
}

// Free space limits of the data directory's file system.
const (
	minFreeFail = 50 << 20  // below this the event log may fail any moment
	minFreeWarn = 500 << 20 // a few months of a busy office
)

// CheckDataDir checks that dir exists (or can be created), is writable and
// has free space. svcUser, if it exists, should own it.
func CheckDataDir(dir, svcUser string) []Result {
	const check = "data_dir"
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return []Result{warn(check, "Thư mục dữ liệu %s chưa có; motcua sẽ tạo nó khi chạy lần đầu (dịch vụ systemd tạo sẵn).",
			"Data directory %s does not exist yet; motcua creates it on first start (the systemd unit does).", dir)}
	case err != nil:
		return []Result{fail(check, "Không đọc được thư mục dữ liệu %s: %v.", "Cannot read data directory %s: %v.", dir, err)}
	case !st.IsDir():
		return []Result{fail(check, "%s không phải thư mục. Sửa server.data_dir trong tệp cấu hình.",
			"%s is not a directory. Fix server.data_dir in the configuration.", dir)}
	}
	var rs []Result
	f, err := os.CreateTemp(dir, ".doctor-*")
	if err != nil {
		rs = append(rs, fail(check, "Không ghi được vào thư mục dữ liệu %s (%v): không cấp được số. Sửa quyền: sudo chown -R motcua:motcua %s",
			"Cannot write to data directory %s (%v): no tickets can be issued. Fix: sudo chown -R motcua:motcua %s", dir, err, dir))
	} else {
		f.Close()
		os.Remove(f.Name())
		owner := ""
		if u, err := user.Lookup(svcUser); err == nil {
			if sys, ok := st.Sys().(*syscall.Stat_t); ok && strconv.Itoa(int(sys.Uid)) != u.Uid {
				owner = svcUser
			}
		}
		if owner != "" {
			rs = append(rs, warn(check, "Thư mục dữ liệu %s ghi được, nhưng không thuộc người dùng %s mà dịch vụ chạy dưới tên đó. Sửa: sudo chown -R %s:%s %s",
				"Data directory %s is writable, but not owned by %s, the user the service runs as. Fix: sudo chown -R %s:%s %s",
				dir, owner, owner, owner, dir))
		} else {
			rs = append(rs, ok(check, "Thư mục dữ liệu %s ghi được.", "Data directory %s is writable.", dir))
		}
	}
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		return append(rs, warn("disk", "Không đo được dung lượng trống của %s: %v.", "Cannot measure the free space of %s: %v.", dir, err))
	}
	free := int64(fs.Bavail) * int64(fs.Bsize)
	db := int64(0)
	if st, err := os.Stat(filepath.Join(dir, "motcua.db")); err == nil {
		db = st.Size()
	}
	switch {
	case free < minFreeFail:
		rs = append(rs, fail("disk", "Chỉ còn %s trống trên thẻ nhớ/ổ đĩa (cơ sở dữ liệu %s): sắp không ghi được phiếu. Xóa tệp không cần (nhật ký cũ: sudo journalctl --vacuum-size=50M) hoặc dùng thẻ lớn hơn.",
			"Only %s free on the SD card/disk (database %s): tickets will soon fail to be stored. Delete files you do not need (old logs: sudo journalctl --vacuum-size=50M) or use a bigger card.",
			size(free), size(db)))
	case free < minFreeWarn:
		rs = append(rs, warn("disk", "Còn %s trống (cơ sở dữ liệu %s): nên dọn dẹp hoặc dùng thẻ lớn hơn trong vài tháng tới.",
			"%s free (database %s): clean up or move to a bigger card within a few months.", size(free), size(db)))
	default:
		rs = append(rs, ok("disk", "Còn %s trống (cơ sở dữ liệu %s).", "%s free (database %s).", size(free), size(db)))
	}
	return rs
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// CheckClock reports whether the wall clock is synchronised, and what it
// means when it is not.
func CheckClock(c interface{ Synced() bool }) Result {
	now := time.Now().Format("2006-01-02 15:04:05 -07:00")
	if c.Synced() {
		return ok("clock", "Đồng hồ đã đồng bộ (bây giờ là %s).", "The clock is synchronised (now %s).", now)
	}
	return warn("clock",
		"Đồng hồ CHƯA đồng bộ (máy báo %s). Raspberry Pi không có pin giữ giờ: khi chưa đồng bộ, motcua vẫn cấp số nhưng không sang ngày mới (số không quay về 1) và giờ trên phiếu, báo cáo có thể sai. Kiểm tra mạng Internet, rồi: timedatectl status; hoặc lắp mô-đun đồng hồ RTC. Trong lúc chờ, mỗi sáng bấm \"Bắt đầu ngày mới\" ở trang /admin.",
		"The clock is NOT synchronised (it says %s). A Raspberry Pi has no battery clock: until it syncs, motcua still issues tickets but does not start a new day (numbers do not restart at 1) and times on tickets and reports may be wrong. Check the network, then: timedatectl status; or fit an RTC module. Meanwhile, press \"Bắt đầu ngày mới\" (start a new day) on /admin each morning.",
		now)
}

// serialDevice is a device path to check, from the configuration.
type serialDevice struct {
	check    string
	endpoint config.Endpoint
}

func serialDevices(cfg *config.Config) []serialDevice {
	var ds []serialDevice
	printers := []struct {
		check string
		p     *config.Printer
	}{{"serial printer", cfg.Printer}}
	for _, k := range cfg.Kiosks {
		printers = append(printers, struct {
			check string
			p     *config.Printer
		}{"serial printer " + k.ID, k.Printer})
	}
	for _, pr := range printers {
		if pr.p == nil {
			continue
		}
		switch pr.p.Endpoint.Scheme {
		case "serial", "lp", "usb":
			ds = append(ds, serialDevice{pr.check, pr.p.Endpoint})
		}
	}
	if r := cfg.RS485; r != nil {
		ds = append(ds, serialDevice{"serial rs485", r.Endpoint})
	}
	return ds
}

// devicePath returns the /dev path of a serial, lp or usb endpoint.
func devicePath(e config.Endpoint) (string, error) {
	if e.Scheme == "usb" {
		return printer.FindUSB(e.VID, e.PID, e.Serial)
	}
	return e.Path, nil
}

// CheckSerial checks that the device of a serial, lp or usb endpoint is
// present and that svcUser may open it; with tryOpen it also opens it as
// the current user (do not while the daemon holds it).
func CheckSerial(check string, e config.Endpoint, svcUser string, tryOpen bool) Result {
	path, err := devicePath(e)
	if err != nil {
		return fail(check, "Không thấy thiết bị USB %s: cắm cáp, bật nguồn; lệnh \"motcua devices\" liệt kê các cổng hiện có. (%v)",
			"USB device %s not found: plug it in and switch it on; \"motcua devices\" lists the ports there are. (%v)", e, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return fail(check, "Không thấy thiết bị %s: cắm cáp, bật nguồn; lệnh \"motcua devices\" liệt kê các cổng hiện có. (%v)",
			"Device %s is missing: plug it in and switch it on; \"motcua devices\" lists the ports there are. (%v)", path, err)
	}
	if st.Mode()&os.ModeCharDevice == 0 {
		return fail(check, "%s không phải thiết bị nối tiếp (serial). Sửa địa chỉ trong tệp cấu hình.",
			"%s is not a serial device. Fix the address in the configuration.", path)
	}
	sys, _ := st.Sys().(*syscall.Stat_t)
	group := "?"
	if sys != nil {
		group = strconv.Itoa(int(sys.Gid))
		if g, err := user.LookupGroupId(group); err == nil {
			group = g.Name
		}
	}
	mode := st.Mode().Perm()
	if u, err := user.Lookup(svcUser); err == nil && sys != nil && !mayOpen(u, sys, mode) {
		return fail(check, "Người dùng %s không mở được %s (nhóm %s, quyền %v). Sửa: sudo usermod -aG %s %s rồi khởi động lại dịch vụ.",
			"User %s cannot open %s (group %s, mode %v). Fix: sudo usermod -aG %s %s and restart the service.",
			svcUser, path, group, mode, group, svcUser)
	}
	if tryOpen {
		fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			if errors.Is(err, unix.EBUSY) {
				return warn(check, "%s đang bị chương trình khác dùng (motcua khác? minicom?). Đóng chương trình đó.",
					"%s is in use by another program (another motcua? minicom?). Close it.", path)
			}
			return fail(check, "Không mở được %s: %v. Người chạy lệnh này có thể thiếu quyền; thử: sudo -u %s motcua doctor ...",
				"Cannot open %s: %v. You may lack the rights; try: sudo -u %s motcua doctor ...", path, err, svcUser)
		}
		unix.Close(fd)
	}
	return ok(check, "%s có mặt (nhóm %s, quyền %v); người dùng %s mở được.",
		"%s is present (group %s, mode %v); user %s may open it.", path, group, mode, svcUser)
}

// mayOpen reports whether u may read and write a file with owner and group
// sys and permissions mode.
func mayOpen(u *user.User, sys *syscall.Stat_t, mode os.FileMode) bool {
	if u.Uid == "0" {
		return true
	}
	if u.Uid == strconv.Itoa(int(sys.Uid)) && mode&0o600 == 0o600 {
		return true
	}
	if mode&0o060 == 0o060 {
		gids, err := u.GroupIds()
		if err == nil && slices.Contains(append(gids, u.Gid), strconv.Itoa(int(sys.Gid))) {
			return true
		}
	}
	return mode&0o006 == 0o006
}
