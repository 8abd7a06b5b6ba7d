package web

import (
	"fmt"
	"net/http"
	"slices"
	"sync"

	"motcua/kiosk/config"
)

// Keys of the kiosk's keypad that [Handler.Press] passes to the kiosk
// pages: the arrows, OK, back, and the "hướng dẫn bằng giọng nói" button
// that starts (and stops) the spoken guidance.
const (
	KeyUp    = "up"
	KeyDown  = "down"
	KeyLeft  = "left"
	KeyRight = "right"
	KeyOK    = "ok"
	KeyBack  = "back"
	KeyGuide = "guide"
)

var keyNames = []string{KeyUp, KeyDown, KeyLeft, KeyRight, KeyOK, KeyBack, KeyGuide}

// ErrKey is returned by [Handler.Press] for a key it does not know.
var ErrKey = fmt.Errorf("web: unknown kiosk key; use one of %v", keyNames)

// keyHub passes key presses to the kiosk pages' event streams.
type keyHub struct {
	mu     sync.Mutex
	subs   map[chan string]string // the stream's kiosk: its token's [[kiosk]], "" the unit's own
	closed chan struct{}
	once   sync.Once
}

// Press passes a key of the kiosk's keypad (GPIO buttons wired to the
// daemon) to every kiosk page of the unit's own kiosk that is open: the
// page moves and speaks as if the key had been pressed on a USB keypad. A
// page that is not reading its stream (busy, reconnecting) misses the key.
// It is safe for concurrent use.
func (h *Handler) Press(key string) error { return h.PressAt("", key) }

// PressAt is [Handler.Press] at a kiosk: the key reaches the pages opened
// with that [[kiosk]]'s tokens ("" the unit's own, and admin tokens).
func (h *Handler) PressAt(kiosk, key string) error {
	if !slices.Contains(keyNames, key) {
		return fmt.Errorf("%w: %q", ErrKey, key)
	}
	h.pressed.mu.Lock()
	defer h.pressed.mu.Unlock()
	for ch, k := range h.pressed.subs {
		if k != kiosk {
			continue
		}
		select {
		case ch <- key:
		default:
		}
	}
	return nil
}

// Close ends the kiosk pages' key streams, so that the HTTP server can
// shut down (the daemon calls it on shutdown); the pages reconnect to the
// next server.
func (h *Handler) Close() {
	h.pressed.once.Do(func() { close(h.pressed.closed) })
}

// keyStream serves GET /kiosk/keys: the keys passed by [Handler.Press]
// as server-sent events, one "data: KEY" each.
func (h *Handler) keyStream(w http.ResponseWriter, r *http.Request) {
	tok, ok := h.principal(w, r)
	if !ok {
		return
	}
	if tok.Role != config.RoleKiosk && tok.Role != config.RoleAdmin {
		writeError(w, http.StatusForbidden, "forbidden", "the kiosk's keys need a kiosk token")
		return
	}
	// The API's status recorder wraps w: the controller finds the
	// flusher beneath.
	rc := http.NewResponseController(w)
	ch := make(chan string, 16)
	h.pressed.mu.Lock()
	h.pressed.subs[ch] = tok.Kiosk
	h.pressed.mu.Unlock()
	defer func() {
		h.pressed.mu.Lock()
		delete(h.pressed.subs, ch)
		h.pressed.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n") //nolint:errcheck // a broken stream ends below
	if err := rc.Flush(); err != nil {
		return
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case <-h.pressed.closed:
			return
		case k := <-ch:
			if _, err := fmt.Fprintf(w, "data: %s\n\n", k); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	}
}

// guide serves the kiosk's spoken guidance (Options.Guide).
func (h *Handler) guide(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.principal(w, r); !ok {
		return
	}
	if h.guideVoice == nil {
		writeError(w, http.StatusNotFound, "no_voice", "this daemon has no voice; the kiosk cannot speak")
		return
	}
	h.guideVoice.ServeHTTP(w, r)
}
