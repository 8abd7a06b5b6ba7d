package uplink

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"motcua/uplinkproto"
)

// DossierStatus asks the receiver for the status of dossier code
// (uplinkproto.QueryDossierStatus) and waits for its answer until ctx
// ends: the caller bounds the wait. It fails at once with [ErrOffline]
// when the client is not connected, with [ErrNoStatus] when the receiver
// answered without a status (no adapter, an unknown dossier, the
// province's system failed), and with ctx's error when no answer came in
// time. A query is not stored: one asked while the connection drops is
// lost. Safe for concurrent use.
func (c *Client) DossierStatus(ctx context.Context, code string) (*uplinkproto.Dossier, error) {
	s := c.sess.Load()
	if s == nil {
		return nil, ErrOffline
	}
	b := make([]byte, 8)
	rand.Read(b)
	id := "q-" + hex.EncodeToString(b)
	ch := make(chan *uplinkproto.Message, 1)
	c.qmu.Lock()
	c.pending[id] = ch
	c.qmu.Unlock()
	defer func() {
		c.qmu.Lock()
		delete(c.pending, id)
		c.qmu.Unlock()
	}()
	select {
	case s.results <- uplinkproto.Query(id, uplinkproto.QueryDossierStatus, code):
	case <-s.done:
		return nil, ErrOffline
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case m := <-ch:
		if !m.OK {
			return nil, fmt.Errorf("%w: %s: %s", ErrNoStatus, m.Error.Code, m.Error.Message)
		}
		return m.Dossier, nil
	case <-s.done:
		return nil, ErrOffline
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// answered hands an answer to the query that waits for it; an answer
// that comes after its query gave up is dropped.
func (c *Client) answered(m *uplinkproto.Message) {
	c.qmu.Lock()
	ch := c.pending[m.ID]
	delete(c.pending, m.ID)
	c.qmu.Unlock()
	if ch != nil {
		ch <- m
	}
}
