package receiver

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSetupOptions fills in the defaults of `motcua receiver`'s flags and
// refuses what they cannot mean.
func TestSetupOptions(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("tokens", "xa-thu secret-of-xa-thu\n")
	write("operators", "tinh secret-of-tinh-01\n")
	other := write("other-tokens", "xa-khac secret-of-xa-khac\n")
	bad := write("bad-tokens", "xa-thu short\n")
	empty := t.TempDir() // no files in it
	hu := HeadsUp{Ahead: 3}

	tests := []struct {
		name      string
		setup     Setup
		wantStore string
		wantUnit  string // the unit of the one token read
		wantOps   int
		wantErr   error // nil, ErrSetup or ErrBadTokens
		wantWarn  bool  // the missing operators file is logged
	}{
		{"data alone", Setup{Data: dir, HeadsUp: hu}, "sqlite:" + dir, "xa-thu", 1, nil, false},
		{"sqlite store alone", Setup{Store: "sqlite:" + dir, HeadsUp: hu}, "sqlite:" + dir, "xa-thu", 1, nil, false},
		{"other tokens file", Setup{Data: dir, Tokens: other, HeadsUp: hu}, "sqlite:" + dir, "xa-khac", 1, nil, false},
		{"postgres with files", Setup{Store: "postgres://u:p@db/motcua", Tokens: other, Operators: filepath.Join(dir, "operators"), HeadsUp: hu},
			"postgres://u:p@db/motcua", "xa-khac", 1, nil, false},
		{"no operators file", Setup{Data: empty, Tokens: other, HeadsUp: hu}, "sqlite:" + empty, "xa-khac", 0, nil, true},
		{"nothing", Setup{HeadsUp: hu}, "", "", 0, ErrSetup, false},
		{"postgres without files", Setup{Store: "postgres://u:p@db/motcua", Tokens: other, HeadsUp: hu}, "", "", 0, ErrSetup, false},
		{"webhook not http", Setup{Data: dir, HeadsUp: HeadsUp{Webhook: "ftp://sms.example", Ahead: 3}}, "", "", 0, ErrSetup, false},
		{"webhook without host", Setup{Data: dir, HeadsUp: HeadsUp{Webhook: "https:///send", Ahead: 3}}, "", "", 0, ErrSetup, false},
		{"heads-up 0", Setup{Data: dir, HeadsUp: HeadsUp{Ahead: 0}}, "", "", 0, ErrSetup, false},
		{"bad tokens", Setup{Data: dir, Tokens: bad, HeadsUp: hu}, "", "", 0, ErrBadTokens, false},
		{"missing tokens", Setup{Data: empty, HeadsUp: hu}, "", "", 0, ErrBadTokens, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logged bytes.Buffer
			o, err := tt.setup.Options(slog.New(slog.NewTextHandler(&logged, nil)))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
				if errors.Is(err, ErrSetup) && !strings.HasPrefix(err.Error(), "receiver: ") {
					t.Errorf("error %q lacks the package prefix", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.Store != tt.wantStore {
				t.Errorf("store: got %q, want %q", o.Store, tt.wantStore)
			}
			var units []string
			for _, u := range o.Tokens {
				units = append(units, u)
			}
			if len(units) != 1 || units[0] != tt.wantUnit {
				t.Errorf("units: got %v, want [%s]", units, tt.wantUnit)
			}
			if len(o.Operators) != tt.wantOps {
				t.Errorf("operators: got %v, want %d", o.Operators, tt.wantOps)
			}
			if warned := strings.Contains(logged.String(), "no operators file"); warned != tt.wantWarn {
				t.Errorf("warned of no operators: got %v, want %v (%s)", warned, tt.wantWarn, logged.String())
			}
			if o.Dossiers != nil {
				t.Errorf("dossiers: got %v, want none", o.Dossiers)
			}
			if o.Logger == nil || o.HeadsUp != tt.setup.HeadsUp {
				t.Errorf("logger %v, heads-up %+v: want the setup's", o.Logger, o.HeadsUp)
			}
		})
	}
}

// TestSetupDossiers opens the dossier status source the setup names.
func TestSetupDossiers(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tokens"), []byte("xa-thu secret-of-xa-thu\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "operators"), []byte("tinh secret-of-tinh-01\n"), 0o600)
	status := filepath.Join(dir, "status.json")
	os.WriteFile(status, []byte(`{}`), 0o600)
	log := slog.New(slog.DiscardHandler)
	o, err := Setup{Data: dir, HeadsUp: HeadsUp{Ahead: 3}, DossierStatus: "file:" + status}.Options(log)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := o.Dossiers.(FileDossiers); !ok || f.Path != status {
		t.Errorf("got %#v, want FileDossiers of %s", o.Dossiers, status)
	}
	for _, bad := range []string{"file:" + filepath.Join(dir, "none.json"), "ftp://adapter.example"} {
		if _, err := (Setup{Data: dir, HeadsUp: HeadsUp{Ahead: 3}, DossierStatus: bad}).Options(log); !errors.Is(err, ErrBadDossierSource) {
			t.Errorf("%s: got %v, want %v", bad, err, ErrBadDossierSource)
		}
	}
}
