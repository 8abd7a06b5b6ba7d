package escpos

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// npmCheck runs testdata/npm/check.cjs (npos and receipt-printer-encoder)
// with req and decodes its answer. node_modules is installed with npm ci
// from the committed package-lock.json when missing.
func npmCheck(t *testing.T, req any, resp any) {
	t.Helper()
	node := needTool(t, "node")
	dir, err := filepath.Abs(filepath.Join("testdata", "npm"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "npos")); err != nil {
		npm := needTool(t, "npm")
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "check.cjs")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node check.cjs: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(out, resp); err != nil {
		t.Fatalf("decode check.cjs output: %v\n%s", err, out)
	}
}

type nposFile struct {
	Error *string `json:"error"`
	Size  int     `json:"size"`
	Nodes []struct {
		Cmd string `json:"cmd"`
		Off int    `json:"off"`
		Len int    `json:"len"`
	} `json:"nodes"`
	Raster []struct {
		Off    int    `json:"off"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
		Hex    string `json:"hex"`
	} `json:"raster"`
	Lines []string `json:"lines"`
}

type npmResp struct {
	Files   []nposFile         `json:"files"`
	QR      string             `json:"qr"`
	Letters map[string][2]*int `json:"letters"`
	Eth31   int                `json:"eth31"`
	Ticket  struct {
		Bytes int    `json:"bytes"`
		Hex   string `json:"hex"`
	} `json:"ticket"`
}

// nposName is the name npos gives one of our ops.
func nposName(op Op) string {
	switch op.Cmd {
	case "text", "LF":
		return "STX"
	case "GS v 0":
		return "GS v0"
	case "GS ( k":
		return "GS (k"
	}
	return op.Cmd
}

func TestNpmIndependentCheck(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	type job struct {
		name  string
		mode  TextMode
		paper Paper
		data  []byte
	}
	var jobs []job
	var files []string
	tk := benchTicket()
	tk.Priority = true
	for _, mode := range []TextMode{Raster, TCVN3, ASCII} {
		for _, paper := range []Paper{Paper80, Paper58} {
			b, err := r.Render(tk, Layout{Mode: mode, Paper: paper})
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Join(dir, fmt.Sprintf("%s-%s.bin", mode, paper))
			if err := os.WriteFile(name, b, 0o644); err != nil {
				t.Fatal(err)
			}
			jobs = append(jobs, job{name, mode, paper, b})
			files = append(files, name)
		}
	}
	// A ticket with Đ and capitals that need the capitals page.
	dd := benchTicket()
	dd.Service = "Đất đai – ĐĂNG KÝ ĐẤT"
	b, err := r.Render(dd, Layout{Mode: TCVN3})
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "tcvn3-dat-dai.bin")
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
	jobs = append(jobs, job{name, TCVN3, Paper80, b})
	files = append(files, name)
	if !strings.Contains(strings.Join(textLines(t, b), "\n"), "Đất đai - ĐĂNG KÝ ĐẤT") {
		t.Fatalf("our own decoding lost Đ: %q", textLines(t, b))
	}

	letters := vietLetters()
	var ls []string
	for _, l := range letters {
		ls = append(ls, string(l))
	}
	bt := benchTicket()
	req := map[string]any{
		"files": files, "qr": bt.QR, "letters": ls,
		"ticket": map[string]any{
			"unit": bt.Unit, "lines": []string{bt.Lines[0], bt.Service}, "number": bt.Number,
			"after": []string{"Ngày 26/11/2026  08:15", "Trước quý khách còn 4 người – chờ khoảng 12 phút"},
			"qr":    bt.QR, "footer": bt.Footer,
		},
	}
	var resp npmResp
	npmCheck(t, req, &resp)
	if len(resp.Files) != len(jobs) {
		t.Fatalf("got %d parsed files, want %d", len(resp.Files), len(jobs))
	}

	for i, j := range jobs {
		t.Run(filepath.Base(j.name), func(t *testing.T) {
			f := resp.Files[i]
			if f.Error != nil {
				t.Fatalf("npos: %s", *f.Error)
			}
			// npos's command stream is ours: same commands at the same
			// offsets, every byte covered. npos joins text and LF.
			ops, err := Parse(j.data)
			if err != nil {
				t.Fatal(err)
			}
			type node struct {
				cmd      string
				off, end int
			}
			var want []node
			for _, op := range ops {
				n := node{nposName(op), op.Off, op.End}
				if k := len(want) - 1; k >= 0 && n.cmd == "STX" && want[k].cmd == "STX" && want[k].end == n.off {
					want[k].end = n.end
					continue
				}
				want = append(want, n)
			}
			if len(f.Nodes) != len(want) {
				t.Fatalf("npos found %d commands, want %d", len(f.Nodes), len(want))
			}
			for k, n := range f.Nodes {
				if n.Cmd != want[k].cmd || n.Off != want[k].off || n.Off+n.Len != want[k].end {
					t.Errorf("node %d: npos %s [%d,%d), want %s [%d,%d)", k, n.Cmd, n.Off, n.Off+n.Len, want[k].cmd, want[k].off, want[k].end)
				}
			}
			if last := f.Nodes[len(f.Nodes)-1]; last.Off+last.Len != f.Size {
				t.Errorf("npos stopped at %d of %d bytes", last.Off+last.Len, f.Size)
			}

			// Each image as npos decodes it is the bitmap we drew.
			var imgs []Op
			for _, op := range ops {
				if op.Cmd == "GS v 0" {
					imgs = append(imgs, op)
				}
			}
			if len(f.Raster) != len(imgs) {
				t.Fatalf("npos decoded %d images, we sent %d", len(f.Raster), len(imgs))
			}
			for k, op := range imgs {
				e := f.Raster[k]
				xb, h := int(op.Args[1])|int(op.Args[2])<<8, int(op.Args[3])|int(op.Args[4])<<8
				if e.Off != op.Off || e.Width != xb*8 || e.Height != h {
					t.Errorf("image %d: npos %d×%d at %d, ours %d×%d at %d", k, e.Width, e.Height, e.Off, xb*8, h, op.Off)
				}
				if e.Hex != hex.EncodeToString(op.Data) {
					t.Errorf("image %d at %d: npos pixels differ from ours", k, op.Off)
				}
			}

			// The text, decoded with receipt-printer-encoder's tables.
			var wantLines []string
			switch j.mode {
			case Raster:
				wantLines = []string{"A023"}
			case TCVN3:
				wantLines = textLines(t, j.data)
				if !strings.Contains(strings.Join(wantLines, "\n"), "QUỲNH HẢI") {
					t.Fatalf("our own decoding lost the Vietnamese: %q", wantLines)
				}
			case ASCII:
				wantLines = textLines(t, j.data)
			}
			// Ð (U+00D0) is the npm table's name for TCVN-3's Đ at 0xA7.
			if strings.ReplaceAll(strings.Join(f.Lines, "\n"), "Ð", "Đ") != strings.Join(wantLines, "\n") {
				t.Errorf("text decoded by the npm tables:\n%s\nwant\n%s", strings.Join(f.Lines, "\n"), strings.Join(wantLines, "\n"))
			}
		})
	}

	// The QR commands are byte for byte what receipt-printer-encoder sends
	// (it adds a line feed after).
	var e Encoder
	e.QR(bt.QR, QROptions{Module: 6, Level: QRLevelM})
	ours := hex.EncodeToString(e.Bytes())
	if !strings.HasPrefix(resp.QR, ours) || strings.Trim(strings.TrimPrefix(resp.QR, ours), "0ad") != "" {
		t.Errorf("QR bytes:\n ours %s\n npm  %s", ours, resp.QR)
	}

	// Every Vietnamese letter has the byte receipt-printer-encoder's tables
	// give on the page we select. Its page 31 holds Ð (U+00D0, same glyph)
	// where TCVN-3 has Đ (U+0110): Đ is checked against that.
	tc := newTCVN3Table()
	show := func(p *int) string {
		if p == nil {
			return "none"
		}
		return fmt.Sprintf("%#x", *p)
	}
	for _, l := range letters {
		c := tc[l]
		got, ok := resp.Letters[string(l)]
		if !ok {
			t.Fatalf("no npm answer for %c", l)
		}
		if l == 'Đ' {
			if c.b != 0xa7 || c.page != PageTCVN3Upper || resp.Eth31 != 0xa7 {
				t.Errorf("Đ: ours %#x on page %d, npm's page 31 has Ð at %#x; want 0xa7 on 31", c.b, c.page, resp.Eth31)
			}
			continue
		}
		if p := got[c.page-PageTCVN3]; p == nil || *p != int(c.b) {
			t.Errorf("%c: ours %#x on page %d, npm %s", l, c.b, c.page, show(p))
		}
	}

	tcvn, err := r.Render(benchTicket(), Layout{Mode: TCVN3})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("same ticket text: receipt-printer-encoder (tcvn3 + windows1258, 8×8 number) %d B; ours tcvn3 %d B",
		resp.Ticket.Bytes, len(tcvn))
	if len(tcvn) > resp.Ticket.Bytes {
		t.Errorf("tcvn3: ours %d B, more than receipt-printer-encoder's %d B", len(tcvn), resp.Ticket.Bytes)
	}
}
