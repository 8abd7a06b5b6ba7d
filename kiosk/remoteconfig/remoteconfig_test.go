package remoteconfig_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"motcua/kiosk/remoteconfig"
	"motcua/uplinkproto"
)

const file = `[unit]
id = "ubnd-thu"
name = "UBND xã Thử"
[server]
data_dir = "data"
[[service]]
id = "dat-dai"
name = "Đất đai"
[[counter]]
id = 1
name = "Quầy 1"
services = ["dat-dai"]
[[token]]
role = "admin"
secret = "remote-test-admin-01"
`

// Files refused before anything is written: the outcome says why and
// the file in force stays.
func TestApplyRefuses(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "motcua.toml")
	if err := os.WriteFile(path, []byte(file), 0o640); err != nil {
		t.Fatal(err)
	}
	m := remoteconfig.New(remoteconfig.Options{Path: path})
	tests := []struct {
		name, data, want string
	}{
		{"empty", "", "1 to"},
		{"too large", strings.Repeat("#", uplinkproto.MaxConfig+1), "1 to"},
		{"not TOML", "[unit\n", "invalid TOML"},
		{"unknown key", file + "colour = 1\n", "colour"},
		{"another unit", strings.Replace(file, `id = "ubnd-thu"`, `id = "ubnd-khac"`, 1), `this unit is "ubnd-thu"`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := string(rune('a' + i))
			err := m.Apply(id, []byte(tt.data))
			if !errors.Is(err, remoteconfig.ErrRejected) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want rejected with %q", err, tt.want)
			}
			if o := m.Outcome(); o.ID != id || o.State != uplinkproto.ConfigRejected || !strings.Contains(o.Reason, tt.want) {
				t.Errorf("outcome %+v", o)
			}
			if got, _ := os.ReadFile(path); string(got) != file {
				t.Error("the file in force changed")
			}
		})
	}
	// A file that passes waits for Run; a second is refused meanwhile.
	good := strings.Replace(file, "Quầy 1", "Quầy một", 1)
	if err := m.Apply("ok-1", []byte(good)); err != nil {
		t.Fatal(err)
	}
	if o := m.Outcome(); o.State != uplinkproto.ConfigApplying {
		t.Errorf("outcome %+v, want applying", o)
	}
	if err := m.Apply("ok-2", []byte(good)); !errors.Is(err, remoteconfig.ErrBusy) {
		t.Errorf("second file: got %v, want ErrBusy", err)
	}
}
