package catalogue

import _ "embed"

// DemoJSON is the catalogue of "motcua demo": about thirty procedures a
// commune office handles (civil status, certification, land,
// construction, household businesses), described in our own words after
// the public national catalogue, for the demo's five services. The codes,
// fees and time limits are illustrations: an office imports the
// province's own catalogue.
//
//go:embed demo.json
var DemoJSON []byte
