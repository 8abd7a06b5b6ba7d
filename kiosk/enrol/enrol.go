// Package enrol is the unit's side of zero-touch provisioning
// (docs/fleet.md): a new Pi with only the package and a one-time code
// asks the receiver for its unit id, uplink token and configuration file
// (POST /enrol), writes them with the service's permissions and checks
// that the daemon can run with them.
package enrol

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"motcua/kiosk/config"
)

// ErrEnrol wraps what the receiver refused.
var ErrEnrol = errors.New("enrol: the receiver refused the code")

// Options say where to enrol and where to write.
type Options struct {
	// Receiver is the receiver's base URL (https://receiver.tinh.gov.vn).
	Receiver string
	// Code is the one-time enrolment code. CodeFile, when Code is "",
	// holds it instead (surrounding white space is trimmed), such as a
	// file on the boot partition; it is removed once the unit is
	// enrolled, the code being used.
	Code, CodeFile string
	// Config is where the configuration file goes
	// (/etc/motcua/motcua.toml); Token where the uplink token goes: the
	// file's [uplink] token_file must name it.
	Config, Token string
	// Group, if it exists and this runs as root, owns the files
	// ("motcua"): the service reads them.
	Group  string
	Client *http.Client // nil: one with a 30 s timeout
}

// Result is what was enrolled.
type Result struct {
	Unit string
	// CodeFileLeft says why Options.CodeFile could not be removed (nil
	// when it was, or when there was none): remove it by hand.
	CodeFileLeft error
	// Cfg is the configuration written, as the daemon will load it.
	Cfg *config.Config
}

// Enrol redeems the code and writes the token and the configuration.
// Nothing is written when the receiver refuses; a configuration that the
// daemon cannot run with (a problem `motcua check` would show, another
// unit's id, a token_file other than Token) is an error after writing,
// with the files left for the operator to see.
func Enrol(ctx context.Context, o Options) (*Result, error) {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Code == "" && o.CodeFile != "" {
		b, err := os.ReadFile(o.CodeFile)
		if err != nil {
			return nil, fmt.Errorf("enrol: %w", err)
		}
		if o.Code = strings.TrimSpace(string(b)); o.Code == "" {
			return nil, fmt.Errorf("enrol: %s holds no code", o.CodeFile)
		}
	}
	body, _ := json.Marshal(map[string]string{"code": o.Code})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(o.Receiver, "/")+"/enrol", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := o.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("enrol: %w; is -receiver the receiver's address, and the network up?", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("enrol: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error.Code != "" {
			return nil, fmt.Errorf("%w: %s: %s", ErrEnrol, e.Error.Code, e.Error.Message)
		}
		return nil, fmt.Errorf("%w: %s", ErrEnrol, resp.Status)
	}
	var got struct {
		Unit, Token, Config string
	}
	if err := json.Unmarshal(data, &got); err != nil || got.Unit == "" || got.Token == "" || got.Config == "" {
		return nil, fmt.Errorf("enrol: the receiver's answer is not an enrolment: %.100s", data)
	}
	if err := write(o.Token, []byte(got.Token+"\n"), 0o640, o.Group); err != nil {
		return nil, err
	}
	if err := write(o.Config, []byte(got.Config), 0o640, o.Group); err != nil {
		return nil, err
	}
	cfg, err := config.LoadRun(o.Config)
	if err != nil {
		return nil, fmt.Errorf("enrol: the configuration from the receiver, written to %s, does not pass the check:\n%w", o.Config, err)
	}
	switch {
	case cfg.Unit.ID != got.Unit:
		return nil, fmt.Errorf("enrol: the configuration is of unit %q, the code of unit %q; ask the province's IT", cfg.Unit.ID, got.Unit)
	case cfg.Uplink == nil || cfg.Uplink.Token != got.Token:
		return nil, fmt.Errorf("enrol: the configuration's [uplink] token_file must be %s, where the token was written", o.Token)
	}
	res := &Result{Unit: got.Unit, Cfg: cfg}
	if o.CodeFile != "" {
		res.CodeFileLeft = os.Remove(o.CodeFile)
	}
	return res, nil
}

// write replaces path with data atomically, with mode, group-owned by
// group when it exists and this runs as root.
func write(path string, data []byte, mode os.FileMode, group string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".enrol-*.tmp")
	if err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(mode)
	if err == nil && group != "" && os.Geteuid() == 0 {
		if g, gerr := user.LookupGroup(group); gerr == nil {
			gid, _ := strconv.Atoi(g.Gid)
			err = tmp.Chown(0, gid)
		}
	}
	if err == nil {
		_, err = tmp.Write(data)
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
		return fmt.Errorf("enrol: writing %s: %w", path, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	defer d.Close()
	return d.Sync()
}
