package uplinkproto

import (
	"encoding/json"
	"fmt"
)

// Questions a unit may ask its receiver: a "query" message (unit →
// receiver) with an id and a name, answered by an "answer" message
// (receiver → unit) with the same id. Unlike events, queries are not
// stored nor resent: a unit that gets no answer in time gives up.
const (
	TypeQuery  = "query"
	TypeAnswer = "answer"
)

// QueryDossierStatus asks the province's one-stop software for the status
// of the dossier in the query's "code" (mã hồ sơ).
const QueryDossierStatus = "dossier.status"

// MaxDossierCode is the longest dossier code a query may carry, in bytes.
const MaxDossierCode = 64

// Dossier is the answer to [QueryDossierStatus]: the status of one
// dossier, in words for the citizen ("Đang giải quyết"), and the date its
// result is due ("YYYY-MM-DD", "" when the province gave none).
type Dossier struct {
	Code   string `json:"code"`
	Status string `json:"status"`
	Due    string `json:"due,omitempty"`
}

// Check reports what is wrong with an answer's dossier.
func (d *Dossier) Check() error {
	var c checker
	c.str("dossier code", d.Code, MaxDossierCode, true)
	c.str("dossier status", d.Status, MaxID, true)
	c.day("dossier due", d.Due)
	return c.err
}

// Query encodes a query message.
func Query(id, name, code string) []byte {
	b, _ := json.Marshal(struct {
		Type string `json:"type"`
		ID   string `json:"id"`
		Name string `json:"name"`
		Code string `json:"code"`
	}{TypeQuery, id, name, code})
	return b
}

// Answer encodes the answer to query id: d when ok, else e.
func Answer(id string, d *Dossier, e *ResultError) []byte {
	b, _ := json.Marshal(struct {
		Type    string       `json:"type"`
		ID      string       `json:"id"`
		OK      bool         `json:"ok"`
		Dossier *Dossier     `json:"dossier,omitempty"`
		Error   *ResultError `json:"error,omitempty"`
	}{TypeAnswer, id, e == nil, d, e})
	return b
}

// decodeQuery parses a query or an answer into m; the checks are in
// checkQuery.
func decodeQuery(data []byte, m *Message) error {
	var v struct {
		ID      string       `json:"id"`
		Name    string       `json:"name"`
		Code    string       `json:"code"`
		OK      bool         `json:"ok"`
		Dossier *Dossier     `json:"dossier"`
		Error   *ResultError `json:"error"`
	}
	err := strictUnmarshal(data, &v)
	m.ID, m.Name, m.Code, m.OK, m.Dossier, m.Error = v.ID, v.Name, v.Code, v.OK, v.Dossier, v.Error
	return err
}

// checkQuery checks a decoded query or answer.
func checkQuery(m *Message) error {
	var c checker
	c.str("id", m.ID, MaxID, true)
	switch m.Type {
	case TypeQuery:
		c.str("name", m.Name, MaxID, true)
		if m.Name == QueryDossierStatus {
			c.str("code", m.Code, MaxDossierCode, true)
		}
	case TypeAnswer:
		switch {
		case m.OK && m.Dossier == nil:
			c.fail("ok is true but there is no dossier")
		case m.OK:
			if err := m.Dossier.Check(); err != nil {
				c.fail("%v", err)
			}
		case m.Error == nil:
			c.fail("ok is false but there is no error")
		default:
			c.str("error code", m.Error.Code, MaxID, true)
			c.str("error message", m.Error.Message, MaxText, false)
		}
	}
	if c.err != nil {
		return fmt.Errorf("%w: %s message: %v", ErrProtocol, m.Type, c.err)
	}
	return nil
}
