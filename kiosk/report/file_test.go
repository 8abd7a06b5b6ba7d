package report_test

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"motcua/kiosk/report"
)

// TestReportFileKeepsSpecialFiles writes a report to a named pipe and
// through a symbolic link: both stay what they are (a rename into place
// once turned /dev/null into a regular file), and a regular file is
// replaced whole.
func TestReportFileKeepsSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(w io.Writer) error { _, err := io.WriteString(w, "a,b\n1,2\n"); return err }

	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	if err := report.WriteFile(fifo, write); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode().Type() != os.ModeNamedPipe {
		t.Fatalf("the pipe is now %v (%v)", fi.Mode(), err)
	}
	select {
	case s := <-got:
		if s != "a,b\n1,2\n" {
			t.Errorf("pipe read %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing written to the pipe")
	}

	target, link := filepath.Join(dir, "target.csv"), filepath.Join(dir, "link.csv")
	os.WriteFile(target, []byte("old, longer content\n"), 0o644)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteFile(link, write); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "a,b\n1,2\n" {
		t.Errorf("link target holds %q", b)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode().Type() != os.ModeSymlink {
		t.Errorf("the link is now %v (%v)", fi.Mode(), err)
	}

	plain := filepath.Join(dir, "plain.csv")
	os.WriteFile(plain, []byte("old, longer content\n"), 0o600)
	if err := report.WriteFile(plain, write); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(plain); string(b) != "a,b\n1,2\n" {
		t.Errorf("regular file holds %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
