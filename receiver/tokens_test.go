package receiver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadTokens(t *testing.T) {
	tests := []struct {
		name, file, err string
		want            map[string]string
	}{
		{name: "ok", file: "# units\nunit-a token-aaaaaaaaaaaa\n\nunit-b token-bbbbbbbbbbbb\n",
			want: map[string]string{"token-aaaaaaaaaaaa": "unit-a", "token-bbbbbbbbbbbb": "unit-b"}},
		{name: "three fields", file: "unit-a token-aaaaaaaaaaaa extra\n", err: ":1: want"},
		{name: "short token", file: "unit-a short\n", err: "shorter than 12"},
		{name: "same token", file: "unit-a token-aaaaaaaaaaaa\nunit-b token-aaaaaaaaaaaa\n", err: ":2: unit-b has the same token as unit-a"},
		{name: "empty", file: "# nothing\n", err: "holds no unit"},
		{name: "bad unit id", file: "Unit_A token-aaaaaaaaaaaa\n", err: `unit id "Unit_A" is not`},
		{name: "missing file", err: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tokens")
			if tt.file != "" {
				os.WriteFile(path, []byte(tt.file), 0o600)
			}
			got, err := ReadTokens(path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want an error with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}
