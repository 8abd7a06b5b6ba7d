package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	good := writeCrashConfig(t, dir, "127.0.0.1:8080")
	orig, _ := os.ReadFile(good)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pack := filepath.Join(dir, "pack")
	os.Mkdir(pack, 0o755)
	os.WriteFile(filepath.Join(pack, "chime.wav"), []byte("not a wav"), 0o644)
	tests := []struct {
		name     string
		path     string
		wantCode int
		wantOut  []string
	}{
		{"valid", good, 0, []string{"ok (2 services, 2 counters, 1 tokens)"}},
		{"two problems at once", write("bad.toml", strings.Replace(string(orig), `prefix = "B"`, "prefix = \"B\"\ncolour = 1", 1)+"\n[[counter]]\nid = 3\nservices = [\"khong-co\"]\n"),
			1, []string{"bad.toml:18: unknown key \"colour\"", "bad.toml:36: counter 3 names unknown service \"khong-co\""}},
		{"unreadable voice pack", write("voice.toml", string(orig)+"\n[voice]\nenabled = true\npack = \""+pack+"\"\n"),
			1, []string{"[voice] pack", "chime.wav"}},
		{"missing file", filepath.Join(dir, "none.toml"), 1, []string{"none.toml"}},
		{"a typed secret of twelve letters", write("weak.toml", strings.Replace(string(orig), crashAdmin, "aaaaaaaaaaaa", 1)),
			1, []string{"weak.toml:31: token secret looks random but carries about"}},
		{"words for a secret: valid, warned", write("words.toml", strings.Replace(string(orig), crashAdmin, "quay-mot-cua-2026", 1)),
			0, []string{"ok (2 services", "words.toml:31: warning: token secret (admin) carries at most about"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(context.Background(), []string{"check", "-config", tt.path}, &out, &errOut)
			all := out.String() + errOut.String()
			if code != tt.wantCode {
				t.Errorf("exit: got %d, want %d\n%s", code, tt.wantCode, all)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
		})
	}
}
