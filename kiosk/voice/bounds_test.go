package voice

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The longest call a ticket can need is built and lasts less than
// MaxCall; anything longer than a ticket number or a counter id is refused
// before any audio is built (issue 13: a 15,000-digit number built a
// 192 MB WAV).
func TestCallBounds(t *testing.T) {
	v, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	longest := strings.Repeat("W", MaxLetters) + strings.Repeat("7", MaxDigits)
	wav, err := v.CallWAV(longest, MaxCounter)
	if err != nil {
		t.Fatalf("longest call %s at %d: %v", longest, MaxCounter, err)
	}
	if d := time.Duration(len(wav)/2) * time.Second / time.Duration(v.SampleRate()); d >= MaxCall {
		t.Errorf("longest call lasts %v, want under %v", d, MaxCall)
	}

	tests := []struct {
		name    string
		number  string
		counter int
		want    error
	}{
		{"15,000 digits", "A" + strings.Repeat("9", 15000), 3, ErrNumber},
		{"17 digits", "A" + strings.Repeat("1", MaxDigits+1), 3, ErrNumber},
		{"5 letters", "ABCDE1", 3, ErrNumber},
		{"letters only past the length", strings.Repeat("A", 30) + "1", 3, ErrNumber},
		{"counter too large", "A1", MaxCounter + 1, ErrCounter},
		{"counter negative", "A1", -4, ErrCounter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := v.CallWAV(tc.number, tc.counter); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestHandlerBounds(t *testing.T) {
	v, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := v.Handler()
	tests := []struct {
		query string
		code  string
	}{
		{"number=A" + strings.Repeat("9", 15000) + "&counter=3", "bad_number"},
		{"number=A023&counter=1000000000", "bad_counter"},
		{"number=A023&counter=-1", "bad_counter"},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", "/voice/call.wav?"+tc.query, nil))
			var body struct{ Error struct{ Code string } }
			json.Unmarshal(w.Body.Bytes(), &body) //nolint:errcheck // checked through the code
			if w.Code != 400 || body.Error.Code != tc.code {
				t.Errorf("got %d %q (%d bytes), want 400 %s", w.Code, body.Error.Code, w.Body.Len(), tc.code)
			}
		})
	}
}
