package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"motcua/kiosk/catalogue"
)

func TestCatalogueImport(t *testing.T) {
	dir := t.TempDir()
	cfgPath := writeCrashConfig(t, dir, "127.0.0.1:8080")
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	proc := `{"code":"1.001193","name":"Đăng ký khai sinh","field":"Hộ tịch","service":"ho-tich","papers":[{"name":"Tờ khai","copies":1,"vneid":false}],"fee":"Miễn","time_limit":"Trong ngày"}`
	good := write("good.json", `{"version":"2026-12","procedures":[`+proc+`]}`)
	bad := write("bad.json", `{"version":"2026-13","procedures":[`+proc+`,`+strings.NewReplacer(`"ho-tich"`, `"tu-phap"`, "1.001193", "1.000894").Replace(proc)+`]}`)
	tests := []struct {
		name    string
		args    []string
		code    int
		wantOut []string
	}{
		{"good", []string{good}, 0, []string{`imported version "2026-12", 1 procedures in 1 fields`}},
		{"unknown service", []string{bad}, 1, []string{`bad.json: procedures[1] (1.000894) .service: service "tu-phap" is not configured`, "not imported (1 problems)"}},
		{"no file", []string{}, 2, []string{"give one catalogue file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(context.Background(), append([]string{"catalogue", "import", "-config", cfgPath}, tt.args...), &out, &errOut)
			all := out.String() + errOut.String()
			if code != tt.code {
				t.Errorf("exit: got %d, want %d\n%s", code, tt.code, all)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
		})
	}
	// The refused file left the good one in force.
	s, err := catalogue.Open(filepath.Join(dir, "data"), []string{"ho-tich"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v := s.Current().Version(); v != "2026-12" {
		t.Errorf("kept version %q, want 2026-12", v)
	}

	// check warns when the configuration drops the service of a
	// procedure in the catalogue.
	orig, _ := os.ReadFile(cfgPath)
	noHoTich := strings.NewReplacer("[[service]]\nid = \"ho-tich\"\nname = \"Hộ tịch\"\nprefix = \"B\"\n", "",
		`services = ["dat-dai", "ho-tich"]`, `services = ["dat-dai"]`, `services = ["ho-tich"]`, `services = ["dat-dai"]`).Replace(string(orig))
	if noHoTich == string(orig) {
		t.Fatal("the test's configuration changed: edit the replacements")
	}
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"check", "-config", write("no-ho-tich.toml", noHoTich)}, &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), `warning: `) || !strings.Contains(out.String(), `procedures[0] (1.001193) .service: service "ho-tich" is not configured`) {
		t.Errorf("check without ho-tich: exit %d\n%s%s", code, out.String(), errOut.String())
	}
}
