package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"motcua/uplinkproto"
)

// Errors of the dossier sources.
var (
	// ErrUnknownDossier is the province's answer that it has no dossier
	// of that code.
	ErrUnknownDossier = errors.New("receiver: the province knows no dossier of that code")
	// ErrBadDossierSource is a -dossier-status that cannot be used.
	ErrBadDossierSource = errors.New("receiver: dossier status source")
)

// DossierSource answers the units' dossier.status queries: the province's
// adapter to its one-stop software. [HTTPDossiers] calls one over HTTP;
// [FileDossiers] reads a file, for tests and demonstrations.
type DossierSource interface {
	// DossierStatus returns the status of dossier code for unit, or
	// [ErrUnknownDossier]. It returns when ctx ends.
	DossierStatus(ctx context.Context, unit, code string) (*uplinkproto.Dossier, error)
}

// dossierAnswer is what a source says of one dossier: the body of the
// HTTP adapter's answer and a value of the file.
type dossierAnswer struct {
	Status string `json:"status"`
	Due    string `json:"due"`
}

// dossier checks a source's answer and makes it the protocol's.
func (a dossierAnswer) dossier(code string) (*uplinkproto.Dossier, error) {
	d := &uplinkproto.Dossier{Code: code, Status: strings.TrimSpace(a.Status), Due: a.Due}
	if err := d.Check(); err != nil {
		return nil, err
	}
	return d, nil
}

// HTTPDossiers asks the province's adapter at URL: a POST of
// {"unit":"...","code":"..."} with Authorization: Bearer Token, answered
// 200 {"status":"Đang giải quyết","due":"2026-12-10"} or 404 for an
// unknown code (docs/uplink.md). The token stays on the receiver: units
// never see it.
type HTTPDossiers struct {
	URL   string
	Token string
	// Client makes the calls (nil: http.DefaultClient); the query's
	// context bounds each call.
	Client *http.Client
}

// maxAdapterBody is the largest answer read from the adapter.
const maxAdapterBody = 64 << 10

// DossierStatus implements [DossierSource].
func (h *HTTPDossiers) DossierStatus(ctx context.Context, unit, code string) (*uplinkproto.Dossier, error) {
	body, _ := json.Marshal(map[string]string{"unit": unit, "code": code})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("receiver: dossier adapter: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if h.Token != "" {
		req.Header.Set("Authorization", "Bearer "+h.Token)
	}
	cl := h.Client
	if cl == nil {
		cl = http.DefaultClient
	}
	resp, err := cl.Do(req)
	if err != nil {
		// The URL may hold credentials: say only where.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("receiver: dossier adapter %s: %w", redactURL(h.URL), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAdapterBody+1))
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, ErrUnknownDossier
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("receiver: dossier adapter %s answered %s", redactURL(h.URL), resp.Status)
	case err != nil:
		return nil, fmt.Errorf("receiver: dossier adapter %s: %w", redactURL(h.URL), err)
	case len(data) > maxAdapterBody:
		return nil, fmt.Errorf("receiver: dossier adapter %s: answer over %d bytes", redactURL(h.URL), maxAdapterBody)
	}
	var a dossierAnswer
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("receiver: dossier adapter %s: answer is not {\"status\",\"due\"}: %w", redactURL(h.URL), err)
	}
	d, err := a.dossier(code)
	if err != nil {
		return nil, fmt.Errorf("receiver: dossier adapter %s: %w", redactURL(h.URL), err)
	}
	return d, nil
}

// redactURL drops the credentials and the query of an adapter's URL
// before it goes into an error.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(bad url)"
	}
	u.User, u.RawQuery = nil, ""
	return u.String()
}

// FileDossiers answers from a JSON file of code → {"status","due"}, read
// at each query so that it can be edited while the receiver runs. Codes
// are matched in any case.
type FileDossiers struct{ Path string }

// DossierStatus implements [DossierSource].
func (f FileDossiers) DossierStatus(ctx context.Context, unit, code string) (*uplinkproto.Dossier, error) {
	data, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, fmt.Errorf("receiver: dossier file: %w", err)
	}
	var all map[string]dossierAnswer
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, fmt.Errorf("receiver: dossier file %s: not an object of code → {\"status\",\"due\"}: %w", f.Path, err)
	}
	for k, a := range all {
		if strings.EqualFold(k, code) {
			d, err := a.dossier(code)
			if err != nil {
				return nil, fmt.Errorf("receiver: dossier file %s: %w", f.Path, err)
			}
			return d, nil
		}
	}
	return nil, ErrUnknownDossier
}

// OpenDossierSource returns the source of -dossier-status spec:
// "file:PATH" or an http:// or https:// URL, called with the token in
// tokenFile ("" for none; surrounding white space is trimmed).
func OpenDossierSource(spec, tokenFile string) (DossierSource, error) {
	if path, ok := strings.CutPrefix(spec, "file:"); ok {
		if path == "" {
			return nil, fmt.Errorf("%w: file: needs a path", ErrBadDossierSource)
		}
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadDossierSource, err)
		}
		return FileDossiers{Path: path}, nil
	}
	u, err := url.Parse(spec)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: %q is neither file:PATH nor an http:// or https:// URL", ErrBadDossierSource, redactURL(spec))
	}
	h := &HTTPDossiers{URL: spec, Client: &http.Client{Timeout: dossierTimeout}}
	if tokenFile != "" {
		tok, err := os.ReadFile(tokenFile)
		if err != nil {
			return nil, fmt.Errorf("%w: token file: %v", ErrBadDossierSource, err)
		}
		h.Token = strings.TrimSpace(string(tok))
	}
	return h, nil
}

// dossierTimeout bounds one call of the source: the kiosk waits 2 s in
// all, and an answer after that is of no use.
const dossierTimeout = 2 * time.Second

// maxQueries is how many queries of one unit are asked at once; more
// are answered "busy" at once.
const maxQueries = 8

// query answers a unit's query in a goroutine of its own, so that the
// reader goes on; the goroutine ends with the connection. The dossier
// code is never logged.
func (c *conn) query(unitID string, m *uplinkproto.Message) {
	answer := func(d *uplinkproto.Dossier, code, msg string) {
		var e *uplinkproto.ResultError
		if code != "" {
			e = &uplinkproto.ResultError{Code: code, Message: msg}
		}
		select {
		case c.cmds <- uplinkproto.Answer(m.ID, d, e):
		case <-c.done:
		case <-c.qctx.Done():
		}
	}
	src := c.s.o.Dossiers
	switch {
	case m.Name != uplinkproto.QueryDossierStatus:
		answer(nil, "unknown_query", "receiver: unknown query "+clipReason(m.Name)+"; this receiver answers "+uplinkproto.QueryDossierStatus)
		return
	case src == nil:
		answer(nil, "no_adapter", "receiver: no dossier status source (-dossier-status)")
		return
	case c.queries.Add(1) > maxQueries:
		c.queries.Add(-1)
		answer(nil, "busy", fmt.Sprintf("receiver: %d queries of this unit are being answered", maxQueries))
		return
	}
	c.qwg.Add(1)
	go func() {
		defer c.qwg.Done()
		defer c.queries.Add(-1)
		ctx, cancel := context.WithTimeout(c.qctx, dossierTimeout)
		defer cancel()
		d, err := src.DossierStatus(ctx, unitID, m.Code)
		switch {
		case errors.Is(err, ErrUnknownDossier):
			answer(nil, "unknown_dossier", err.Error())
		case err != nil:
			c.s.adapterFailed(unitID, err)
			answer(nil, "adapter_failed", "receiver: the province's dossier system did not answer")
		default:
			answer(d, "", "")
		}
	}()
}

// adapterFailed logs a failure of the dossier source, at most once a
// minute while the same error repeats.
func (s *Server) adapterFailed(unitID string, err error) {
	now := s.clk.Now()
	s.dmu.Lock()
	repeat := err.Error() == s.dossierErr && now.Sub(s.dossierLogged) < time.Minute
	if !repeat {
		s.dossierErr, s.dossierLogged = err.Error(), now
	}
	s.dmu.Unlock()
	if !repeat {
		s.lg.Warn("receiver: dossier status source failed", "unit", unitID, "err", err)
	}
}
