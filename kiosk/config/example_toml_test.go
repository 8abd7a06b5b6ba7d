package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDemo(t *testing.T) {
	c := Demo()
	if got, want := c.Unit.ID, "ubnd-xa-quynh-hai"; got != want {
		t.Errorf("unit id: got %v, want %v", got, want)
	}
	var prefixes []string
	for _, s := range c.Services {
		prefixes = append(prefixes, s.Prefix)
	}
	if want := []string{"A", "B", "C", "D", "E"}; !reflect.DeepEqual(prefixes, want) {
		t.Errorf("prefixes: got %v, want %v", prefixes, want)
	}
	if got, want := len(c.Counters), 5; got != want {
		t.Errorf("counters: got %v, want %v", got, want)
	}
	if got, want := len(c.Displays), len(c.Counters); got != want {
		t.Errorf("displays: got %v, want %v (one per counter)", got, want)
	}
	if len(c.Tokens) != 0 || c.Printer == nil || c.Printer.Endpoint.Scheme != "sim" || !c.Voice.Enabled {
		t.Errorf("got tokens %d, printer %+v, voice %v; want no tokens, a sim printer, voice enabled", len(c.Tokens), c.Printer, c.Voice.Enabled)
	}
	if len(c.Scanners) != 2 || c.Scanners[0].Endpoint.Scheme != "sim" || c.Scanners[0].Place != PlaceKiosk || c.Scanners[1].Counter != 1 {
		t.Errorf("scanners: got %+v, want simulated ones at the kiosk and counter 1", c.Scanners)
	}
	// Each call returns a fresh copy.
	c.Services[0].Name = "changed"
	if Demo().Services[0].Name == "changed" {
		t.Error("got a shared Config from Demo, want a fresh one per call")
	}
	if err := c.AddToken(Token{Role: RoleAdmin, Secret: "demo-admin-0123456"}); err != nil {
		t.Errorf("AddToken: got %v, want nil", err)
	}
}

// writeExampleFiles writes the files that example.toml names into dir.
func writeExampleFiles(t *testing.T, dir string) {
	t.Helper()
	for _, name := range []string{"kiosk", "display", "counter", "admin", "uplink"} {
		secret := "\n  " + name + "-secret-0123456789\n"
		if err := os.WriteFile(filepath.Join(dir, name+".token"), []byte(secret), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "province-ca.pem"), selfSignedPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "voice-pack"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func selfSignedPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "test CA"},
		NotBefore:    time.Unix(0, 0),
		NotAfter:     time.Unix(0, 0).Add(100 * 365 * 24 * time.Hour),
		IsCA:         true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// uncomment switches on the settings of example.toml: lines starting
// with "#" directly followed by a key or a [section].
func uncomment(doc string) string {
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		if len(l) > 1 && l[0] == '#' && (l[1] == '[' || l[1] >= 'a' && l[1] <= 'z') {
			lines[i] = l[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// allKeys lists the key paths of every field of t, such as
// "printer.address" and "keypad.pins.neutral".
func allKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("toml")
		if tag == "" || tag == "-" {
			continue
		}
		key := joinKey(prefix, tag)
		ft := t.Field(i).Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != durationType {
			keys = append(keys, allKeys(ft, key)...)
			continue
		}
		keys = append(keys, key)
	}
	return keys
}

func TestExampleTOML(t *testing.T) {
	example, err := os.ReadFile("example.toml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		doc  string
	}{
		{"as installed", string(example)},
		{"every setting switched on", uncomment(string(example))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeExampleFiles(t, dir)
			path := filepath.Join(dir, "motcua.toml")
			if err := os.WriteFile(path, []byte(tt.doc), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := Load(path)
			if err != nil {
				t.Fatalf("got %v, want nil", err)
			}
			if err := c.RequireDataDir(); err != nil {
				t.Errorf("got %v, want data_dir set", err)
			}
			if got, want := c.Tokens[3].Secret, "admin-secret-0123456789"; got != want {
				t.Errorf("admin secret: got %v, want %v", got, want)
			}
		})
	}
	t.Run("shows every key", func(t *testing.T) {
		present := map[string]bool{}
		for k := range keyLines([]byte(uncomment(string(example)))) {
			present[stripIndexes(k)] = true
		}
		for _, k := range allKeys(reflect.TypeFor[Config](), "") {
			if !present[k] {
				t.Errorf("got no %s in example.toml, want every key shown", k)
			}
		}
	})
}

func TestDocsShowEveryKey(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "config.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range allKeys(reflect.TypeFor[Config](), "") {
		parts := strings.Split(k, ".")
		section, key := strings.Join(parts[:len(parts)-1], "."), parts[len(parts)-1]
		if !strings.Contains(string(doc), "`"+key+"`") {
			t.Errorf("got no `%s` (%s) in docs/config.md, want every key documented", key, k)
		}
		if section != "" && !slices.ContainsFunc([]string{"[" + section + "]", "[[" + section + "]]"}, func(s string) bool { return strings.Contains(string(doc), s) }) {
			t.Errorf("got no section [%s] in docs/config.md", section)
		}
	}
}
