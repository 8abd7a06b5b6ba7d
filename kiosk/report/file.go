package report

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"

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
