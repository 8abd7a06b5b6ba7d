package report

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"motcua/kiosk/config"
)

// WriteFile writes path through a temporary file renamed into place, so
// that a failed report leaves no half file. A path that is not a regular
// file (/dev/null, a pipe, a symbolic link) is written in place: a rename
// would replace the device or the link.
func WriteFile(path string, write func(io.Writer) error) error {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(f)
		err = write(w)
		if err == nil {
			err = w.Flush()
		}
		return errors.Join(err, f.Close())
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	if err := write(w); err != nil {
		tmp.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// FromDataDir makes report q from the event log in cfg's data directory.
// It opens the log read-only, without the directory's lock, so it runs
// beside the daemon. Finished days are read from and written to the cache
// in the data directory unless noCache; a cache that cannot be opened is
// told to warn and the report is made without it (slower, not wrong).
func FromDataDir(ctx context.Context, cfg *config.Config, q Query, noCache bool, warn func(error)) (*Report, error) {
	db, err := OpenLog(cfg.Server.DataDir)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var cache *Cache
	if !noCache {
		if cache, err = OpenCache(filepath.Join(cfg.Server.DataDir, CacheFile)); err != nil {
			warn(err)
			cache = nil
		} else {
			defer cache.Close()
		}
	}
	return New(db, cfg, cache).Report(ctx, q)
}

// Export is a report asked for from the command line (`motcua report`):
// which one, in what format, and where it goes.
type Export struct {
	Query // From "": today; To "": From
	Format
	Out     string // a file; "": the writer given to [Export.Run]
	NoCache bool   // neither read nor write the data directory's cache
}

// Resolve fills in the days left out, today being the day of now in loc
// (nil: time.Local), and checks x: its errors are ErrBadDate,
// ErrBadRange, ErrBadGrouping or ErrBadFormat.
func (x *Export) Resolve(now time.Time, loc *time.Location) error {
	if loc == nil {
		loc = time.Local
	}
	if x.From == "" {
		x.From = now.In(loc).Format(time.DateOnly)
	}
	if x.To == "" {
		x.To = x.From
	}
	if err := x.Query.Check(); err != nil {
		return err
	}
	if x.ContentType() == "application/octet-stream" {
		return fmt.Errorf("%w, not %q", ErrBadFormat, x.Format)
	}
	return nil
}

// Run makes the report from cfg's data directory, as [FromDataDir] does,
// and writes it to x.Out, through a temporary file as [WriteFile] does,
// or to w when x.Out is "".
func (x Export) Run(ctx context.Context, cfg *config.Config, w io.Writer, warn func(error)) error {
	rep, err := FromDataDir(ctx, cfg, x.Query, x.NoCache, warn)
	if err != nil {
		return err
	}
	if x.Out == "" {
		b := bufio.NewWriter(w)
		if err := rep.Write(b, x.Format); err != nil {
			return err
		}
		return b.Flush()
	}
	return WriteFile(x.Out, func(w io.Writer) error { return rep.Write(w, x.Format) })
}
