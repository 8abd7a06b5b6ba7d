package uplink

import (
	"encoding/json"
	"errors"

	"motcua/kiosk/catalogue"
	"motcua/uplinkproto"
)

// updateCatalogue runs a catalogue.update command: the catalogue in force
// is replaced when the file is valid, and kept when it is not.
func (c *Client) updateCatalogue(m *uplinkproto.Message, res *uplinkproto.Result) {
	if c.o.Catalogue == nil {
		res.Error = &uplinkproto.ResultError{Code: "no_catalogue", Message: "uplink: this unit keeps no procedure catalogue"}
		return
	}
	x, err := c.o.Catalogue.Import(m.Catalogue)
	var ps catalogue.Problems
	switch {
	case errors.As(err, &ps):
		res.Error = &uplinkproto.ResultError{Code: "invalid_catalogue", Message: err.Error()}
		return
	case err != nil:
		res.Error = &uplinkproto.ResultError{Code: "internal", Message: err.Error()}
		return
	}
	c.lg.Info("catalogue updated by the receiver", "version", x.Version(), "procedures", x.Len())
	res.OK = true
	res.Catalogue, _ = json.Marshal(struct {
		Version    string `json:"version"`
		Procedures int    `json:"procedures"`
	}{x.Version(), x.Len()})
}
