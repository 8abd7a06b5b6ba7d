package voice

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
)

func TestHandler(t *testing.T) {
	v, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := v.Handler()
	want, err := v.CallWAV("A023", 3)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/call.wav?number=A023&counter=3", nil))
	if w.Code != 200 || w.Header().Get("Content-Type") != "audio/wav" || !bytes.Equal(w.Body.Bytes(), want) {
		t.Errorf("got %d %q, %d bytes; want 200 audio/wav with the call", w.Code, w.Header().Get("Content-Type"), w.Body.Len())
	}

	tests := []struct {
		method, url string
		status      int
		code        string
	}{
		{"GET", "/?number=A%3F&counter=3", 400, "bad_number"},
		{"GET", "/?counter=3", 400, "bad_number"},
		{"GET", "/?number=A1&counter=x", 400, "bad_counter"},
		{"POST", "/?number=A1&counter=1", 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.method+tt.url, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(tt.method, tt.url, nil))
			var body struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", w.Body, err)
			}
			if w.Code != tt.status || body.Error.Code != tt.code || body.Error.Message == "" {
				t.Errorf("got %d %+v, want %d %s", w.Code, body.Error, tt.status, tt.code)
			}
		})
	}
}
