package receiver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"unicode/utf8"

	"github.com/jonboulle/clockwork"

	"motcua/uplinkproto"
)

// ApplyConfig sends a connected unit a new configuration file (the
// command config.apply, docs/fleet.md) and returns the unit's result:
// taken (its config state applying) or refused with the check's
// problems. What becomes of a taken file comes later in the unit's
// status, on the fleet page. A file that is empty, larger than
// [uplinkproto.MaxConfig] or not UTF-8 is refused here with
// [ErrBadCommand].
func (s *Server) ApplyConfig(ctx context.Context, unitID, toml string) (*uplinkproto.Message, error) {
	if toml == "" || len(toml) > uplinkproto.MaxConfig || !utf8.ValidString(toml) {
		return nil, fmt.Errorf("%w: the configuration must be 1 to %d bytes of UTF-8 text", ErrBadCommand, uplinkproto.MaxConfig)
	}
	s.mu.Lock()
	u := s.units[unitID]
	s.mu.Unlock()
	if u == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoUnit, unitID)
	}
	u.mu.Lock()
	c := u.conn
	u.mu.Unlock()
	if c == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoUnit, unitID)
	}
	m, err := c.send(ctx, func(id string) []byte { return uplinkproto.ConfigCommand(id, toml) })
	if err != nil {
		return nil, fmt.Errorf("receiver: config.apply to %s: %w", unitID, err)
	}
	return m, nil
}

// apiConfig takes PUT /api/units/{unit}/config: the body is the TOML
// file (Content-Type text/plain or application/toml); the answer is the
// unit's result.
func (s *Server) apiConfig(w http.ResponseWriter, r *http.Request) {
	t, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if t != "text/plain" && t != "application/toml" {
		apiError(w, http.StatusUnsupportedMediaType, "bad_request", "send the configuration file as the body, Content-Type: application/toml")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, uplinkproto.MaxConfig))
	if err != nil {
		apiError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the configuration must be at most %d bytes", uplinkproto.MaxConfig))
		return
	}
	ctx, cancel := clockwork.WithTimeout(r.Context(), s.clk, commandTimeout)
	defer cancel()
	m, err := s.ApplyConfig(ctx, r.PathValue("unit"), string(body))
	switch {
	case errors.Is(err, ErrBadCommand):
		apiError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	case err != nil:
		apiError(w, http.StatusBadGateway, "unit_unreachable", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(m.Raw)
}
