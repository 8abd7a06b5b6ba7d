package catalogue

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// FileName is the catalogue's file in the data directory.
const FileName = "catalogue.json"

// stored is the file kept in the data directory: the catalogue and when
// it was imported.
type stored struct {
	Imported time.Time `json:"imported_at"`
	File
}

// Store keeps the catalogue in force in a data directory. A new one is
// checked whole, written to disk and synced before it replaces the old one
// in a single step: readers see the old catalogue or the new one, never a
// mix, and a file that fails the checks changes nothing. Store is safe for
// concurrent use.
type Store struct {
	dir string
	now func() time.Time

	mu       sync.Mutex // serialises imports
	services atomic.Pointer[[]string]
	cur      atomic.Pointer[Index]
}

// Open reads the catalogue kept in dir, if any. services are the ids of
// the configured services, which every imported procedure must name. now
// is the clock of import times (nil: time.Now).
func Open(dir string, services []string, now func() time.Time) (*Store, error) {
	if now == nil {
		now = time.Now
	}
	s := &Store{dir: dir, now: now}
	s.SetServices(services)
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// SetServices changes the services that an import may name, after the
// configuration was reloaded. The catalogue in force stays; its
// procedures of a service that is gone issue no tickets.
func (s *Store) SetServices(services []string) {
	cp := append([]string(nil), services...)
	s.services.Store(&cp)
}

// Reload reads the catalogue file again, for one imported by "motcua
// catalogue import" while the daemon ran. A missing file is an empty
// catalogue.
func (s *Store) Reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, err := os.ReadFile(filepath.Join(s.dir, FileName))
	if errors.Is(err, fs.ErrNotExist) {
		if s.cur.Load() == nil {
			s.cur.Store(NewIndex(&File{}, time.Time{}))
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("catalogue: %w", err)
	}
	var st stored
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("catalogue: %s is damaged (%v); import the catalogue again", filepath.Join(s.dir, FileName), err)
	}
	s.cur.Store(NewIndex(&st.File, st.Imported))
	return nil
}

// Current is the catalogue in force.
func (s *Store) Current() *Index { return s.cur.Load() }

// Import checks a catalogue file (see [Parse]), keeps it durably and puts
// it in force. On any error the catalogue in force stays.
func (s *Store) Import(data []byte) (*Index, error) {
	f, err := Parse(data, *s.services.Load())
	if err != nil {
		return nil, err
	}
	return s.Put(f)
}

// Put keeps an already parsed catalogue and puts it in force.
func (s *Store) Put(f *File) (*Index, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := stored{Imported: s.now().UTC().Truncate(time.Second), File: *f}
	data, err := json.MarshalIndent(st, "", " ")
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	if err := writeFile(filepath.Join(s.dir, FileName), data); err != nil {
		return nil, err
	}
	x := NewIndex(f, st.Imported)
	s.cur.Store(x)
	return x, nil
}

// writeFile replaces path with data: a synced temporary file renamed over
// it, then the directory synced, so that a power cut leaves the old file
// or the new one.
func writeFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("catalogue: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".catalogue-*.tmp")
	if err != nil {
		return fmt.Errorf("catalogue: %w; check that %s exists and is writable", err, dir)
	}
	defer os.Remove(tmp.Name())
	// Readable by the daemon's user when root imports it.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("catalogue: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("catalogue: writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("catalogue: syncing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("catalogue: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("catalogue: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("catalogue: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("catalogue: syncing %s: %w", dir, err)
	}
	return nil
}

// Unserved lists the procedures of the catalogue kept in dir whose service
// is not among services, with their positions in the file: after a
// configuration dropped or renamed a service, tickets for them are
// refused until a new catalogue is imported. No catalogue: none.
func Unserved(dir string, services []string) (Problems, error) {
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	var st stored
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("catalogue: %s is damaged (%v); import the catalogue again", filepath.Join(dir, FileName), err)
	}
	var ps Problems
	for i, p := range st.Procedures {
		if !slices.Contains(services, p.Service) {
			ps = append(ps, Problem{Index: i, Code: p.Code, Field: "service",
				Message: fmt.Sprintf("service %q is not configured: tickets for this procedure are refused; import a catalogue that names one of %s", p.Service, strings.Join(services, ", "))})
		}
	}
	return ps, nil
}

// ImportFile imports the catalogue file into the data directory dir for
// the configured services, as [Store.Import] does: a file with problems
// ([Problems]) leaves the catalogue in force. A running daemon takes it
// on its next reload.
func ImportFile(dir string, services []string, file string) (*Index, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err // the path names the file
	}
	s, err := Open(dir, services, nil)
	if err != nil {
		return nil, err
	}
	return s.Import(data)
}
