package voice

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGuideWAV: a guidance is its clips in order, with silences between
// them; a service without its own clip is read by its place.
func TestGuideWAV(t *testing.T) {
	v, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		parts []string
		clips []string
	}{
		{[]string{"guide-your-number", "t:WQ023", "s:dat-dai:1", "guide-ahead", "n:3", "guide-people"},
			[]string{"guide-your-number", "letter-w", "letter-q", "hai", "muoi-ngang", "ba", "service-dat-dai", "guide-ahead", "ba", "guide-people"}},
		{[]string{"s:khong-co-clip:12", "n:0"}, []string{"guide-service-no", "muoi", "hai", "khong"}},
		{[]string{"guide-next"}, []string{"guide-next"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.parts, ","), func(t *testing.T) {
			wav, clips, err := v.GuideWAV(tt.parts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(clips, tt.clips) {
				t.Errorf("clips: got %v, want %v", clips, tt.clips)
			}
			// Every clip's samples are in the WAV, in order.
			data := dataOf(t, wav)
			at := 0
			for _, c := range tt.clips {
				pc := packClip(t, c)
				i := bytes.Index(data[at:], pc)
				if i < 0 {
					t.Fatalf("clip %s not found after byte %d", c, at)
				}
				at += i + len(pc)
			}
		})
	}
	for _, bad := range [][]string{nil, {"guide-nope"}, {"n:-1"}, {"n:x"}, {"s:dat-dai"}, {"s:dat-dai:0"}, {"t:???"}, make([]string, MaxGuideParts+1)} {
		if _, _, err := v.GuideWAV(bad); err == nil {
			t.Errorf("%q: no error", bad)
		} else if !errors.Is(err, ErrGuide) && !errors.Is(err, ErrNumber) && !errors.Is(err, ErrLetter) {
			t.Errorf("%q: %v, want ErrGuide or ErrNumber", bad, err)
		}
	}
}

// TestGuideServiceClipFromPack: a pack folder's service-ID.wav names that
// service; other service clips stay built-in.
func TestGuideServiceClipFromPack(t *testing.T) {
	dir := t.TempDir()
	own, err := os.ReadFile(filepath.Join("pack", "letter-z.wav")) // any voice will do
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "service-ho-tich.wav"), own, 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := New(Options{Pack: dir})
	if err != nil {
		t.Fatal(err)
	}
	_, clips, err := v.GuideWAV([]string{"s:ho-tich:2", "s:dat-dai:1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"service-ho-tich", "service-dat-dai"}; !slices.Equal(clips, want) {
		t.Errorf("got %v, want %v", clips, want)
	}
}

func TestGuideHandler(t *testing.T) {
	v, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := v.GuideHandler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/?say=guide-your-number,t:A001", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "audio/wav" {
		t.Fatalf("got %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if got, want := rec.Header().Get("X-Motcua-Clips"), "guide-your-number letter-a mot"; got != want {
		t.Errorf("clips: got %q, want %q", got, want)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/?say=nope", nil))
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "bad_guide") {
		t.Errorf("bad part: got %d %s", rec.Code, rec.Body)
	}
}
