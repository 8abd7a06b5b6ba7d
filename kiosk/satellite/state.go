package satellite

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// state is what a satellite keeps across restarts, in DataDir/satellite.json:
// the main daemon's unit, the last event handled, and the tickets of its
// kiosk already dealt with (printed or reported not printed), of the
// latest day only.
type state struct {
	Unit string          `json:"unit"`
	Seq  int64           `json:"seq"`
	Done map[string]bool `json:"done"` // ticket id -> printed
	// Unreported are the outcomes the main daemon has not acknowledged
	// yet, by ticket id: sent again at the next connection.
	Unreported map[string]outcome `json:"unreported,omitempty"`
}

// outcome is what became of a ticket, as reported upstream.
type outcome struct {
	Kiosk   string `json:"kiosk"`
	Printed bool   `json:"printed"`
	Detail  string `json:"detail,omitempty"`
}

const stateFile = "satellite.json"

// loadState reads the state of dir; a missing file is a first start.
func loadState(dir string) (*state, error) {
	st := &state{Done: map[string]bool{}, Unreported: map[string]outcome{}}
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("satellite: %w", err)
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("satellite: %s is damaged (%v); move it away to start afresh, the tickets it printed may then print again", filepath.Join(dir, stateFile), err)
	}
	if st.Done == nil {
		st.Done = map[string]bool{}
	}
	if st.Unreported == nil {
		st.Unreported = map[string]outcome{}
	}
	return st, nil
}

// save writes the state durably: a temporary file, synced, renamed over
// the old one, and the directory synced.
func (st *state) save(dir string) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, stateFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("satellite: %w", err)
	}
	_, err = f.Write(b)
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, stateFile))
	}
	if err == nil {
		var d *os.File
		if d, err = os.Open(dir); err == nil {
			err = errors.Join(d.Sync(), d.Close())
		}
	}
	if err != nil {
		return fmt.Errorf("satellite: keeping what was printed: %w", err)
	}
	return nil
}

// forgetBefore drops the tickets of days before the day of id (ticket ids
// start with the day, "20261203-A001"): a day's tickets are never replayed
// the next day.
func (st *state) forgetBefore(id string) {
	day, _, ok := strings.Cut(id, "-")
	if !ok {
		return
	}
	for k := range st.Done {
		if d, _, _ := strings.Cut(k, "-"); d < day {
			delete(st.Done, k)
		}
	}
}
