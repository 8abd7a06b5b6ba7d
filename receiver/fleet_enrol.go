package receiver

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"motcua/uplinkproto"
)

// Zero-touch provisioning (docs/fleet.md): an operator creates a
// one-time enrolment code for a unit id and its configuration file; a new
// Pi redeems it once (POST /enrol, `motcua enrol`) and gets its unit id,
// a new uplink token and the file. Codes and tokens are stored as their
// SHA-256 only.

const enrolSchema = `
CREATE TABLE IF NOT EXISTS fleet_enrolments (
	code_hash   TEXT PRIMARY KEY,
	unit        TEXT NOT NULL,
	config      TEXT NOT NULL,
	created_by  TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	expires_at  TEXT NOT NULL,
	used_at     TEXT
);
CREATE TABLE IF NOT EXISTS fleet_units (
	unit        TEXT PRIMARY KEY,
	token_hash  TEXT NOT NULL UNIQUE,
	enrolled_at TEXT NOT NULL
);
`

// Enrolment limits.
const (
	// DefaultEnrolTTL is how long a code is valid when no TTL is given.
	DefaultEnrolTTL = 72 * time.Hour
	// MaxEnrolTTL is the longest a code may be valid.
	MaxEnrolTTL = 30 * 24 * time.Hour
)

// Enrolment errors.
var (
	ErrBadEnrolment = errors.New("receiver: bad enrolment")
	ErrUnknownCode  = errors.New("receiver: unknown enrolment code")
	ErrCodeUsed     = errors.New("receiver: the enrolment code was used already; ask the province's IT for a new one")
	ErrCodeExpired  = errors.New("receiver: the enrolment code has expired; ask the province's IT for a new one")
)

// hashText is the hex SHA-256 of a secret, as stored.
func hashText(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// normalCode is a code as typed: case, spaces and dashes ignored.
func normalCode(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
}

// Enrolment is a code an operator created.
type Enrolment struct {
	// Code is shown once, when created: 80 random bits in base32, in
	// groups of four.
	Code      string    `json:"code,omitempty"`
	Unit      string    `json:"unit"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// UsedAt is when the code was redeemed (nil: not yet).
	UsedAt *time.Time `json:"used_at"`
}

// CreateEnrolment makes a one-time code for unit and its configuration
// file, valid for ttl (0: [DefaultEnrolTTL]).
func (s *Server) CreateEnrolment(ctx context.Context, unit, config, by string, ttl time.Duration) (*Enrolment, error) {
	switch {
	case !uplinkproto.ValidUnit(unit):
		return nil, fmt.Errorf("%w: unit %q is not 1 to 64 of [a-z0-9-]", ErrBadEnrolment, unit)
	case config == "" || len(config) > uplinkproto.MaxConfig || !utf8.ValidString(config):
		return nil, fmt.Errorf("%w: the configuration must be 1 to %d bytes of UTF-8 text", ErrBadEnrolment, uplinkproto.MaxConfig)
	case ttl < 0 || ttl > MaxEnrolTTL:
		return nil, fmt.Errorf("%w: a code is valid for at most %s", ErrBadEnrolment, MaxEnrolTTL)
	}
	if ttl == 0 {
		ttl = DefaultEnrolTTL
	}
	b := make([]byte, 10)
	rand.Read(b)
	raw := base32.StdEncoding.EncodeToString(b) // 16 characters
	code := raw[0:4] + "-" + raw[4:8] + "-" + raw[8:12] + "-" + raw[12:16]
	now := s.clk.Now()
	e := &Enrolment{Code: code, Unit: unit, CreatedBy: by, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	_, err := s.st.db.ExecContext(ctx, s.st.q(`INSERT INTO fleet_enrolments(code_hash, unit, config, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`),
		hashText(raw), unit, config, by, timeText(now), timeText(e.ExpiresAt))
	if err != nil {
		return nil, fmt.Errorf("receiver: %s: %w", s.st.name, err)
	}
	s.lg.Info("receiver: enrolment code created", "unit", unit, "by", by, "expires", e.ExpiresAt)
	return e, nil
}

// Enrolments lists the codes created, newest first, without the codes.
func (s *Server) Enrolments(ctx context.Context) ([]Enrolment, error) {
	rows, err := s.st.db.QueryContext(ctx, `SELECT unit, created_by, created_at, expires_at, used_at FROM fleet_enrolments ORDER BY created_at DESC`)
	if err != nil {
		return nil, fmt.Errorf("receiver: %s: %w", s.st.name, err)
	}
	defer rows.Close()
	out := []Enrolment{}
	for rows.Next() {
		var e Enrolment
		var created, expires string
		var used sql.NullString
		if rows.Scan(&e.Unit, &e.CreatedBy, &created, &expires, &used) != nil {
			continue
		}
		e.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		e.ExpiresAt, _ = time.Parse(time.RFC3339Nano, expires)
		if used.Valid {
			if t, err := time.Parse(time.RFC3339Nano, used.String); err == nil {
				e.UsedAt = &t
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Enrolled is what a redeemed code gives the new unit.
type Enrolled struct {
	Unit string `json:"unit"`
	// Token is the unit's new uplink token; its previous one, if any, no
	// longer works.
	Token string `json:"token"`
	// Config is the configuration file the operator gave.
	Config string `json:"config"`
}

// Redeem takes a code once: it gives the unit a new uplink token, stored
// hashed, and returns it with the unit's id and configuration file.
func (s *Server) Redeem(ctx context.Context, code string) (*Enrolled, error) {
	h := hashText(normalCode(code))
	now := s.clk.Now()
	tx, err := s.st.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("receiver: %s: %w", s.st.name, err)
	}
	defer tx.Rollback()
	var e Enrolled
	var expires string
	var used sql.NullString
	err = tx.QueryRowContext(ctx, s.st.q(`SELECT unit, config, expires_at, used_at FROM fleet_enrolments WHERE code_hash = ?`), h).Scan(&e.Unit, &e.Config, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUnknownCode
	}
	if err != nil {
		return nil, fmt.Errorf("receiver: %s: %w", s.st.name, err)
	}
	if used.Valid {
		return nil, ErrCodeUsed
	}
	if t, err := time.Parse(time.RFC3339Nano, expires); err != nil || !now.Before(t) {
		return nil, ErrCodeExpired
	}
	// One redemption only, also with two at once on two receivers.
	// The file goes to the unit and is forgotten here: it may hold
	// secrets.
	res, err := tx.ExecContext(ctx, s.st.q(`UPDATE fleet_enrolments SET used_at = ?, config = '' WHERE code_hash = ? AND used_at IS NULL`), timeText(now), h)
	if err != nil {
		return nil, fmt.Errorf("receiver: %s: %w", s.st.name, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, ErrCodeUsed
	}
	tok := make([]byte, 32)
	rand.Read(tok)
	e.Token = hex.EncodeToString(tok)
	if _, err := tx.ExecContext(ctx, s.st.q(`INSERT INTO fleet_units(unit, token_hash, enrolled_at) VALUES (?, ?, ?)
		ON CONFLICT (unit) DO UPDATE SET token_hash = excluded.token_hash, enrolled_at = excluded.enrolled_at`), e.Unit, hashText(e.Token), timeText(now)); err != nil {
		return nil, fmt.Errorf("receiver: %s: %w", s.st.name, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("receiver: %s: %w", s.st.name, err)
	}
	s.lg.Info("receiver: unit enrolled", "unit", e.Unit)
	return &e, nil
}

// enrolledUnit returns the unit whose enrolled token tok is, or "".
func (s *Server) enrolledUnit(ctx context.Context, tok string) string {
	var unit string
	err := s.st.db.QueryRowContext(ctx, s.st.q(`SELECT unit FROM fleet_units WHERE token_hash = ?`), hashText(tok)).Scan(&unit)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		s.lg.Warn("receiver: reading the enrolled units", "err", err)
	}
	return unit
}

// apiCreateEnrolment takes POST /api/enrolments
// {"unit":"...","config":"TOML","ttl_s":259200}.
func (s *Server) apiCreateEnrolment(w http.ResponseWriter, r *http.Request) {
	if !isJSON(r) {
		apiError(w, http.StatusUnsupportedMediaType, "bad_request", "send JSON: Content-Type: application/json")
		return
	}
	var body struct {
		Unit   string `json:"unit"`
		Config string `json:"config"`
		TTL    int64  `json:"ttl_s"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 2*uplinkproto.MaxConfig))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		apiError(w, http.StatusBadRequest, "bad_request", `body must be {"unit":"ubnd-x","config":"TOML text","ttl_s":259200}`)
		return
	}
	by, _ := s.operatorOf(r)
	e, err := s.CreateEnrolment(r.Context(), body.Unit, body.Config, by, time.Duration(body.TTL)*time.Second)
	if errors.Is(err, ErrBadEnrolment) {
		apiError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	if err != nil {
		apiError(w, http.StatusServiceUnavailable, "store_unavailable", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(e)
}

func (s *Server) apiEnrolments(w http.ResponseWriter, r *http.Request) {
	es, err := s.Enrolments(r.Context())
	if err != nil {
		apiError(w, http.StatusServiceUnavailable, "store_unavailable", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"enrolments": es})
}

// enrol takes POST /enrol {"code":"..."} from a new unit (no token: the
// code is the credential).
func (s *Server) enrol(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Code string `json:"code"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1024)).Decode(&body); err != nil || body.Code == "" {
		apiError(w, http.StatusBadRequest, "bad_request", `body must be {"code":"XXXX-XXXX-XXXX-XXXX"}`)
		return
	}
	e, err := s.Redeem(r.Context(), body.Code)
	switch {
	case errors.Is(err, ErrUnknownCode):
		s.lg.Warn("receiver: enrolment with an unknown code", "addr", r.RemoteAddr)
		apiError(w, http.StatusNotFound, "unknown_code", "no such enrolment code; check it, or ask the province's IT for one")
		return
	case errors.Is(err, ErrCodeUsed):
		apiError(w, http.StatusGone, "code_used", err.Error())
		return
	case errors.Is(err, ErrCodeExpired):
		apiError(w, http.StatusGone, "code_expired", err.Error())
		return
	case err != nil:
		apiError(w, http.StatusServiceUnavailable, "store_unavailable", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(e)
}

// RequestEnrolment asks the receiver at base (https://receiver...) for an
// enrolment code through its API, as an operator with token: what
// `motcua enrolment` does.
func RequestEnrolment(ctx context.Context, base, token, unit, config string, ttl time.Duration) (*Enrolment, error) {
	body, _ := json.Marshal(map[string]any{"unit": unit, "config": config, "ttl_s": int64(ttl.Seconds())})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(base, "/")+"/api/enrolments", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("receiver: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("receiver: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		Enrolment
		Error *struct{ Code, Message string } `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
		return nil, fmt.Errorf("receiver: %s: the answer is not JSON: %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusCreated {
		if out.Error != nil {
			return nil, fmt.Errorf("%w: %s: %s", ErrBadEnrolment, out.Error.Code, out.Error.Message)
		}
		return nil, fmt.Errorf("%w: %s", ErrBadEnrolment, resp.Status)
	}
	return &out.Enrolment, nil
}
