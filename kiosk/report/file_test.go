package report_test

import (
	"bytes"
	"context"
	"errors"
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

// TestExportResolve fills in the days of `motcua report` and refuses what
// is not a report.
func TestExportResolve(t *testing.T) {
	hcm, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC) // 06:30 on the 24th in Hà Nội
	tests := []struct {
		name     string
		x        report.Export
		loc      *time.Location
		from, to string
		err      error
	}{
		{"today", report.Export{Query: report.Query{By: report.ByService}, Format: report.CSV}, hcm, "2026-11-24", "2026-11-24", nil},
		{"today in UTC", report.Export{Query: report.Query{By: report.ByService}, Format: report.CSV}, time.UTC, "2026-11-23", "2026-11-23", nil},
		{"one day", report.Export{Query: report.Query{From: "2026-11-02", By: report.ByDay}, Format: report.XLSX}, hcm, "2026-11-02", "2026-11-02", nil},
		{"range", report.Export{Query: report.Query{From: "2026-11-02", To: "2026-11-20", By: report.ByMonth}, Format: report.HTML}, hcm, "2026-11-02", "2026-11-20", nil},
		{"bad date", report.Export{Query: report.Query{From: "2026-11-31", By: report.ByDay}, Format: report.CSV}, hcm, "", "", report.ErrBadDate},
		{"backwards", report.Export{Query: report.Query{From: "2026-11-20", To: "2026-11-02", By: report.ByDay}, Format: report.CSV}, hcm, "", "", report.ErrBadRange},
		{"by week", report.Export{Query: report.Query{By: "week"}, Format: report.CSV}, hcm, "", "", report.ErrBadGrouping},
		{"pdf", report.Export{Query: report.Query{By: report.ByDay}, Format: "pdf"}, hcm, "", "", report.ErrBadFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := tt.x
			err := x.Resolve(now, tt.loc)
			if !errors.Is(err, tt.err) || (err != nil) != (tt.err != nil) {
				t.Fatalf("got %v, want %v", err, tt.err)
			}
			if err == nil && (x.From != tt.from || x.To != tt.to) {
				t.Errorf("got %s..%s, want %s..%s", x.From, x.To, tt.from, tt.to)
			}
		})
	}
}

// TestExportRun writes the report of the scenario to a writer and to a
// file, with and without the cache.
func TestExportRun(t *testing.T) {
	dir, cfg, _, _ := scenario(t, false)
	ctx := context.Background()
	q := report.Query{From: "2026-11-23", To: "2026-11-24", By: report.ByService}
	rep, err := report.FromDataDir(ctx, cfg, q, true, func(err error) { t.Error(err) })
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := rep.Write(&want, report.CSV); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(dir, report.CacheFile)

	var got bytes.Buffer
	x := report.Export{Query: q, Format: report.CSV, NoCache: true}
	if err := x.Run(ctx, cfg, &got, func(err error) { t.Error(err) }); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("to a writer: got\n%s\nwant\n%s", got.String(), want.String())
	}
	if _, err := os.Stat(cache); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("NoCache made a cache: %v", err)
	}

	x.Out, x.NoCache = filepath.Join(t.TempDir(), "r.csv"), false
	got.Reset()
	if err := x.Run(ctx, cfg, &got, func(err error) { t.Error(err) }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(x.Out); err != nil || string(b) != want.String() || got.Len() != 0 {
		t.Errorf("to %s: got %q (%v), %d bytes to the writer; want the report alone in the file", x.Out, b, err, got.Len())
	}
	if _, err := os.Stat(cache); err != nil {
		t.Errorf("no cache: %v", err)
	}

	x.Out, x.Format = "", "pdf"
	if err := x.Run(ctx, cfg, &got, nil); !errors.Is(err, report.ErrBadFormat) {
		t.Errorf("pdf: got %v, want %v", err, report.ErrBadFormat)
	}
}
