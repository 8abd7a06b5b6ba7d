package receiver

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"motcua/uplinkproto"
)

// ReadTokens reads a tokens file: one unit per line, "unit-id token";
// blank lines and lines starting with # are skipped. It returns the map
// from token to unit id.
func ReadTokens(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadTokens, err)
	}
	defer f.Close()
	tokens := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		switch {
		case len(fields) != 2:
			return nil, fmt.Errorf("%w %s:%d: want \"unit-id token\"", ErrBadTokens, path, n)
		case !uplinkproto.ValidUnit(fields[0]):
			return nil, fmt.Errorf("%w %s:%d: unit id %q is not 1 to 64 of [a-z0-9-]", ErrBadTokens, path, n, fields[0])
		case len(fields[1]) < 12:
			return nil, fmt.Errorf("%w %s:%d: the token of %s is shorter than 12 characters", ErrBadTokens, path, n, fields[0])
		}
		if u, dup := tokens[fields[1]]; dup {
			return nil, fmt.Errorf("%w %s:%d: %s has the same token as %s", ErrBadTokens, path, n, fields[0], u)
		}
		tokens[fields[1]] = fields[0]
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadTokens, err)
	}
	if len(tokens) == 0 {
		return nil, fmt.Errorf("%w %s holds no unit; add lines \"unit-id token\"", ErrBadTokens, path)
	}
	return tokens, nil
}
