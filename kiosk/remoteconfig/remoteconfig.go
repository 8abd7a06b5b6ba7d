// Package remoteconfig puts in force a configuration file the receiver
// sends (the uplink command config.apply, docs/fleet.md), and takes it
// back by itself when the unit is not healthy with it.
//
// [Manager.Apply] checks the file as `motcua check` does and refuses it
// with the check's problems, changing nothing. A file that passes is
// handed to [Manager.Run], the one owner of the configuration file: it
// keeps the file in force as FILE.prev, replaces FILE atomically (a
// synced temporary file renamed over it), and reloads the unit as SIGHUP
// does. Then it asks the unit whether it is healthy (its printers
// opened, its uplink connected) until it is, or until Wait (60 s) has
// passed: then it writes the previous file back and reloads it. Each
// step's outcome is kept for the unit's status message ([Manager.Outcome]).
//
// The service must be allowed to write the configuration file and its
// directory; the Debian package's service is not, until the office allows
// it (docs/fleet.md): until then a config.apply is refused.
package remoteconfig

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"motcua/clock"
	"motcua/kiosk/config"
	"motcua/uplinkproto"
)

// Errors of [Manager.Apply].
var (
	// ErrRejected wraps the problems of a file that does not pass the
	// check.
	ErrRejected = errors.New("remoteconfig: the configuration does not pass the check; nothing was changed")
	// ErrBusy is a file sent while another is still being put in force.
	ErrBusy = errors.New("remoteconfig: another configuration is being put in force; try again in a minute")
	// ErrNotWritable is a unit whose configuration file the service may
	// not replace.
	ErrNotWritable = errors.New("remoteconfig: the service may not replace its configuration file; see docs/fleet.md to allow remote configuration")
)

// Unit is what a [Manager] configures: the daemon's unit.
type Unit interface {
	// Reload puts a configuration in force, as SIGHUP does.
	Reload(cfg *config.Config) error
	// Healthy returns nil when the unit works with its configuration,
	// else what does not.
	Healthy() error
}

// Options configure a [Manager].
type Options struct {
	// Path is the configuration file the daemon runs with.
	Path string
	// Check checks what the configuration names beyond its own rules, as
	// `motcua check` does (unit.Check); nil: nothing more.
	Check func(*config.Config) error
	// Clock times the wait (nil: the machine's).
	Clock clock.Clock
	// Wait is how long a new configuration has to be healthy: 60s.
	Wait time.Duration
	// Every is how often the unit's health is asked meanwhile: 2s.
	Every time.Duration
	// Notify, if set, is called with each new outcome; it must not
	// block.
	Notify func(uplinkproto.ConfigOutcome)
	Logger *slog.Logger
}

// Manager applies configurations sent by the receiver. Apply and Outcome
// are safe for concurrent use; Run is called once.
type Manager struct {
	o       Options
	lg      *slog.Logger
	reqs    chan request
	changes chan struct{}

	mu      sync.Mutex
	busy    bool
	outcome uplinkproto.ConfigOutcome
}

type request struct {
	id   string
	data []byte
	cfg  *config.Config
}

// New returns a manager of the configuration file o.Path.
func New(o Options) *Manager {
	if o.Wait <= 0 {
		o.Wait = 60 * time.Second
	}
	if o.Every <= 0 {
		o.Every = 2 * time.Second
	}
	o.Clock = clock.Or(o.Clock)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Manager{o: o, lg: o.Logger, reqs: make(chan request, 1), changes: make(chan struct{}, 1)}
}

// Changes is signalled when the outcome changed: the uplink then sends
// the unit's status at once. One reader.
func (m *Manager) Changes() <-chan struct{} { return m.changes }

// Outcome is the outcome of the newest config.apply (zero: none).
func (m *Manager) Outcome() uplinkproto.ConfigOutcome {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.outcome
}

func (m *Manager) set(id, state, reason string) {
	if len(reason) > uplinkproto.MaxText {
		reason = reason[:uplinkproto.MaxText-len("…")]
		reason = strings.ToValidUTF8(reason, "") + "…"
	}
	out := uplinkproto.ConfigOutcome{ID: id, State: state, Reason: reason, At: m.o.Clock.Now().Format(time.RFC3339)}
	m.mu.Lock()
	m.outcome = out
	m.mu.Unlock()
	m.lg.Info("remote configuration", "id", id, "state", state, "reason", reason)
	select {
	case m.changes <- struct{}{}:
	default:
	}
	if m.o.Notify != nil {
		m.o.Notify(out)
	}
}

// Apply checks data, a configuration file sent with command id. A file
// that passes is handed to Run to be put in force, and Apply returns nil
// at once: what becomes of it is [Manager.Outcome]. A file that does not
// pass is refused with [ErrRejected] and its problems, one per line as
// `motcua check` prints them; nothing changes.
func (m *Manager) Apply(id string, data []byte) error {
	if len(data) == 0 || len(data) > uplinkproto.MaxConfig {
		err := fmt.Errorf("%w: the file is %d bytes; it must be 1 to %d", ErrRejected, len(data), uplinkproto.MaxConfig)
		m.set(id, uplinkproto.ConfigRejected, err.Error())
		return err
	}
	cfg, err := config.Parse(m.o.Path, data)
	if err == nil {
		err = cfg.RequireDataDir()
	}
	if err == nil && m.o.Check != nil {
		err = m.o.Check(cfg)
	}
	if err == nil {
		err = m.sameUnit(cfg)
	}
	if err != nil {
		err = fmt.Errorf("%w:\n%v", ErrRejected, err)
		m.set(id, uplinkproto.ConfigRejected, err.Error())
		return err
	}
	if err := writable(m.o.Path); err != nil {
		m.set(id, uplinkproto.ConfigRejected, err.Error())
		return err
	}
	m.mu.Lock()
	if m.busy {
		m.mu.Unlock()
		return ErrBusy
	}
	m.busy = true
	m.mu.Unlock()
	m.set(id, uplinkproto.ConfigApplying, "")
	m.reqs <- request{id: id, data: data, cfg: cfg}
	return nil
}

// sameUnit refuses a configuration of another unit: the receiver knows
// this one by its id, and its token is bound to it.
func (m *Manager) sameUnit(cfg *config.Config) error {
	cur, err := config.Load(m.o.Path)
	if err != nil {
		return nil // the file in force cannot be read: nothing to compare
	}
	if cfg.Unit.ID != cur.Unit.ID {
		return fmt.Errorf("%s: [unit] id %q: this unit is %q; a unit's id is changed on the unit, not remotely", m.o.Path, cfg.Unit.ID, cur.Unit.ID)
	}
	return nil
}

// writable reports whether the service may replace path: write a
// temporary file beside it, and the file itself.
func writable(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("%w (%v)", ErrNotWritable, err)
	}
	f.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), ".motcua-check-*.tmp")
	if err != nil {
		return fmt.Errorf("%w (%v)", ErrNotWritable, err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}

// Run puts the files Apply takes in force on u, watches them and rolls
// them back, until ctx ends. A file being watched when ctx ends stays.
func (m *Manager) Run(ctx context.Context, u Unit) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case r := <-m.reqs:
			m.apply(ctx, u, r)
			m.mu.Lock()
			m.busy = false
			m.mu.Unlock()
		}
	}
}

// apply puts one file in force and keeps it or rolls it back.
func (m *Manager) apply(ctx context.Context, u Unit, r request) {
	prev, err := os.ReadFile(m.o.Path)
	if err != nil {
		m.set(r.id, uplinkproto.ConfigRolledBack, "reading the configuration in force: "+err.Error())
		return
	}
	if err := writeFile(m.o.Path+".prev", prev); err != nil {
		m.set(r.id, uplinkproto.ConfigRolledBack, err.Error())
		return
	}
	if err := writeFile(m.o.Path, r.data); err != nil {
		m.set(r.id, uplinkproto.ConfigRolledBack, err.Error())
		return
	}
	why := ""
	if err := u.Reload(r.cfg); err != nil {
		why = "the new configuration could not be put in force: " + err.Error()
	} else {
		why = m.watch(ctx, u)
		if why == "" {
			m.set(r.id, uplinkproto.ConfigApplied, "")
			return
		}
		if ctx.Err() != nil {
			return // stopping: the file stays; the next start runs it
		}
	}
	if err := m.rollback(u, prev); err != nil {
		why += "; and putting the previous file back failed: " + err.Error()
	}
	m.set(r.id, uplinkproto.ConfigRolledBack, why)
}

// watch waits until u is healthy and returns "", or returns why it was
// not within Wait.
func (m *Manager) watch(ctx context.Context, u Unit) string {
	deadline := m.o.Clock.Now().Add(m.o.Wait)
	for {
		err := u.Healthy()
		if err == nil {
			return ""
		}
		if !m.o.Clock.Now().Before(deadline) {
			return fmt.Sprintf("not healthy %s after the change: %v", m.o.Wait, err)
		}
		select {
		case <-ctx.Done():
			return "stopped"
		case <-m.o.Clock.After(m.o.Every):
		}
	}
}

// rollback writes the previous file back and puts it in force again.
func (m *Manager) rollback(u Unit, prev []byte) error {
	if err := writeFile(m.o.Path, prev); err != nil {
		m.lg.Error("remote configuration: cannot write the previous file back", "err", err, "previous", m.o.Path+".prev")
		return err
	}
	cfg, err := config.Parse(m.o.Path, prev)
	if err == nil {
		err = u.Reload(cfg)
	}
	if err != nil {
		m.lg.Error("remote configuration: the previous configuration could not be put back in force", "err", err)
		return err
	}
	return nil
}

// writeFile replaces path with data: a synced temporary file with path's
// mode renamed over it, then the directory synced, so that a power cut
// leaves the old file or the new one whole.
func writeFile(path string, data []byte) error {
	mode := os.FileMode(0o640)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".motcua-*.tmp")
	if err != nil {
		return fmt.Errorf("remoteconfig: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("remoteconfig: writing %s: %w", path, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("remoteconfig: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("remoteconfig: syncing %s: %w", dir, err)
	}
	return nil
}
