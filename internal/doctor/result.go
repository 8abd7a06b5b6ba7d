package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Level is how bad a finding is.
type Level string

// Levels of a [Result].
const (
	LevelOK   Level = "ok"   // works
	LevelWarn Level = "warn" // works, but needs attention
	LevelFail Level = "fail" // would stop the room working
)

// Result is the outcome of one check.
type Result struct {
	// Check names what was checked, e.g. "config", "printer",
	// "serial /dev/ttyUSB0", "gpio GPIO17".
	Check string `json:"check"`
	Level Level  `json:"level"`
	// VI and EN explain the finding and, when it is not ok, what to do.
	VI string `json:"vi"`
	EN string `json:"en"`
}

func ok(check, vi, en string, args ...any) Result {
	return result(LevelOK, check, vi, en, args...)
}

func warn(check, vi, en string, args ...any) Result {
	return result(LevelWarn, check, vi, en, args...)
}

func fail(check, vi, en string, args ...any) Result {
	return result(LevelFail, check, vi, en, args...)
}

// result formats vi and en with the same args.
func result(l Level, check, vi, en string, args ...any) Result {
	return Result{Check: check, Level: l, VI: fmt.Sprintf(vi, args...), EN: fmt.Sprintf(en, args...)}
}

// Failed reports whether any result is a failure.
func Failed(rs []Result) bool {
	for _, r := range rs {
		if r.Level == LevelFail {
			return true
		}
	}
	return false
}

// Write prints the results for a person: one block per check, Vietnamese
// first, then a summary line.
func Write(w io.Writer, rs []Result) error {
	var b strings.Builder
	counts := map[Level]int{}
	for _, r := range rs {
		counts[r.Level]++
		tag := map[Level]string{LevelOK: "[ OK ]", LevelWarn: "[WARN]", LevelFail: "[FAIL]"}[r.Level]
		fmt.Fprintf(&b, "%s %s\n       %s\n       %s\n", tag, r.Check, r.VI, r.EN)
	}
	fmt.Fprintf(&b, "\n%d đạt, %d cần chú ý, %d lỗi / %d ok, %d warnings, %d failures\n",
		counts[LevelOK], counts[LevelWarn], counts[LevelFail], counts[LevelOK], counts[LevelWarn], counts[LevelFail])
	if counts[LevelFail] > 0 {
		b.WriteString("Phòng một cửa sẽ không hoạt động đúng cho đến khi sửa các lỗi [FAIL].\n" +
			"The room will not work properly until the [FAIL] items are fixed.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes rs as an indented JSON array of [Result], for
// `motcua doctor -json`.
func WriteJSON(w io.Writer, rs []Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rs)
}
