package enrol

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A code file that cannot be read or holds no code stops the enrolment
// before the receiver is asked (there is none here) and writes nothing.
func TestCodeFileRefused(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "motcua-enrol.txt")
	if err := os.WriteFile(empty, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, tok := filepath.Join(dir, "etc", "motcua.toml"), filepath.Join(dir, "etc", "uplink.token")
	tests := []struct{ file, want string }{
		{filepath.Join(dir, "none.txt"), "no such file"},
		{empty, "holds no code"},
	}
	for _, tt := range tests {
		_, err := Enrol(context.Background(), Options{Receiver: "http://127.0.0.1:1", CodeFile: tt.file, Config: cfg, Token: tok})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error saying %q", tt.file, err, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "etc")); !os.IsNotExist(err) {
		t.Errorf("something was written: %v", err)
	}
	if _, err := os.Stat(empty); err != nil {
		t.Errorf("the code file went: %v", err)
	}
}
