package catalogue

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStoreImport(t *testing.T) {
	dir := t.TempDir()
	now := func() time.Time { return Imported0 }
	s, err := Open(dir, demoServices, now)
	if err != nil {
		t.Fatal(err)
	}
	if s.Current().Len() != 0 {
		t.Fatalf("new store has %d procedures", s.Current().Len())
	}
	if _, err := s.Import(DemoJSON); err != nil {
		t.Fatal(err)
	}
	first := s.Current()
	if first.Version() != "demo-2026-12" || first.Len() < 25 || !first.Imported().Equal(Imported0) {
		t.Fatalf("got version %q with %d procedures at %v", first.Version(), first.Len(), first.Imported())
	}
	before, _ := os.ReadFile(filepath.Join(dir, FileName))

	// A bad file changes nothing, on disk or in force.
	bad := strings.Replace(string(DemoJSON), `"service": "dat-dai"`, `"service": "dat"`, 1)
	if _, err := s.Import([]byte(bad)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `service "dat" is not configured`) {
		t.Fatalf("got %v, want the unknown service", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, FileName))
	if s.Current() != first || string(before) != string(after) {
		t.Error("a refused file changed the catalogue")
	}

	// A new version replaces it and survives a restart.
	small := `{"version":"v2","procedures":[{"code":"1.001193","name":"Đăng ký khai sinh","field":"Hộ tịch","service":"tu-phap-ho-tich","papers":[]}]}`
	if _, err := s.Import([]byte(small)); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(dir, demoServices, now)
	if err != nil {
		t.Fatal(err)
	}
	if x := s2.Current(); x.Version() != "v2" || x.Len() != 1 || len(x.Search("khai sinh", 0)) != 1 {
		t.Errorf("after reopening: version %q, %d procedures", x.Version(), x.Len())
	}
	matches, _ := filepath.Glob(filepath.Join(dir, ".catalogue-*"))
	if len(matches) != 0 {
		t.Errorf("temporary files left: %v", matches)
	}

	// Services change with the configuration.
	s2.SetServices([]string{"dat-dai"})
	if _, err := s2.Import([]byte(small)); !errors.Is(err, ErrInvalid) {
		t.Errorf("got %v after the service went, want a refusal", err)
	}
}

func TestStoreDamagedFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, demoServices, nil); err == nil || !strings.Contains(err.Error(), "import the catalogue again") {
		t.Errorf("got %v, want a damaged-file error", err)
	}
}

func TestUnserved(t *testing.T) {
	dir := t.TempDir()
	if ps, err := Unserved(dir, demoServices); ps != nil || err != nil {
		t.Fatalf("no catalogue: got %v, %v", ps, err)
	}
	s, err := Open(dir, demoServices, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(DemoJSON); err != nil {
		t.Fatal(err)
	}
	if ps, err := Unserved(dir, demoServices); len(ps) != 0 || err != nil {
		t.Fatalf("all served: got %v, %v", ps, err)
	}
	ps, err := Unserved(dir, []string{"dat-dai", "tu-phap-ho-tich", "kinh-doanh", "chung-thuc"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 || ps[0].Code != "1.009994" || ps[0].Field != "service" || !strings.Contains(ps[0].String(), `service "xay-dung" is not configured`) {
		t.Errorf("xay-dung dropped: got %v", ps)
	}
}

// TestImportFile imports a file into a data directory; a file with
// problems or none at all leaves the catalogue in force.
func TestImportFile(t *testing.T) {
	dir, files := t.TempDir(), t.TempDir()
	good, bad := filepath.Join(files, "good.json"), filepath.Join(files, "bad.json")
	os.WriteFile(good, DemoJSON, 0o600)
	os.WriteFile(bad, []byte(strings.Replace(string(DemoJSON), `"service": "dat-dai"`, `"service": "dat"`, 1)), 0o600)
	x, err := ImportFile(dir, demoServices, good)
	if err != nil || x.Version() != "demo-2026-12" {
		t.Fatalf("good file: got %v, %v", x, err)
	}
	var ps Problems
	if _, err := ImportFile(dir, demoServices, bad); !errors.As(err, &ps) || len(ps) != 1 || ps[0].Field != "service" {
		t.Errorf("bad file: got %v, want one problem of service", err)
	}
	if _, err := ImportFile(dir, demoServices, filepath.Join(files, "none.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no file: got %v, want not found", err)
	}
	s, err := Open(dir, demoServices, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v := s.Current().Version(); v != "demo-2026-12" {
		t.Errorf("in force: got version %q, want demo-2026-12", v)
	}
}
