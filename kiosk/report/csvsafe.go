package report

// formulaStart holds the first characters that make a spreadsheet read a
// CSV cell as a formula (OWASP, "CSV Injection"): =, +, -, @, tab and
// carriage return.
const formulaStart = "=+-@\t\r"

// neutralise makes a text cell of a CSV safe to open in a spreadsheet: a
// cell that begins with a formula character gets a leading apostrophe, so
// that an officer named "=HYPERLINK(...)" or a pause reason "@SUM(...)"
// is shown as text and never evaluated. Numbers do not pass through here:
// a negative count is still a number.
func neutralise(s string) string {
	if s != "" && containsByte(formulaStart, s[0]) {
		return "'" + s
	}
	return s
}

func containsByte(set string, b byte) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == b {
			return true
		}
	}
	return false
}
