package receiver

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Setup is what the command line of `motcua receiver` says: where the
// events are kept and where the files of tokens are. [Setup.Options]
// fills in what is left out and reads the files.
type Setup struct {
	// Store is "sqlite:DIR" or "postgres://..." ("": sqlite:Data).
	Store string
	// Data is the data directory: the default store and the files below
	// ("": the DIR of a sqlite: Store).
	Data string
	// Tokens is the units' tokens file (default Data/tokens), Operators
	// the operators' (default Data/operators); see [ReadTokens].
	Tokens, Operators string
	HeadsUp           HeadsUp
	// DossierStatus, if set, answers the units' dossier.status queries:
	// see [OpenDossierSource], which reads DossierToken.
	DossierStatus, DossierToken string
	// Fleet configures the fleet's alerts; its Secret is read from
	// AlertSecretFile (docs/fleet.md).
	Fleet           Fleet
	AlertSecretFile string
}

// ErrSetup is the error of a [Setup] that does not say enough or says
// something wrong: the command line needs mending.
var ErrSetup = errors.New("receiver: bad setup")

type setupError string

func (e setupError) Error() string { return "receiver: " + string(e) }

func (setupError) Is(target error) bool { return target == ErrSetup }

// Options checks s, fills in its defaults, reads the tokens and the
// operators, opens the dossier status source and returns the [Options] of a [Server] logging to log. An
// error that is [ErrSetup] says which flag to mend. A missing operators
// file is no error: log is told that the page and the API refuse
// everyone.
func (s Setup) Options(log *slog.Logger) (Options, error) {
	if s.Store == "" && s.Data != "" {
		s.Store = "sqlite:" + s.Data
	}
	if dir, ok := strings.CutPrefix(s.Store, "sqlite:"); ok && s.Data == "" {
		s.Data = dir
	}
	if s.Store == "" || s.Data == "" && (s.Tokens == "" || s.Operators == "") {
		return Options{}, setupError("give -data DIR, or -store URL with -tokens FILE and -operators FILE")
	}
	if w := s.HeadsUp.Webhook; w != "" {
		if u, err := url.Parse(w); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Options{}, setupError(fmt.Sprintf("-webhook %q must be an http:// or https:// URL", w))
		}
	}
	if w := s.Fleet.Webhook; w != "" {
		if u, err := url.Parse(w); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Options{}, setupError(fmt.Sprintf("-alert-webhook %q must be an http:// or https:// URL", w))
		}
	}
	if f := s.Fleet; f.OfflineAfter < 0 || f.PaperOutAfter < 0 || f.UnsyncedAfter < 0 || f.DiskLow < 0 {
		return Options{}, setupError("-offline-after, -paper-out-after, -unsynced-after and -disk-low-mib must be positive")
	}
	if s.AlertSecretFile != "" {
		b, err := os.ReadFile(s.AlertSecretFile)
		if err != nil {
			return Options{}, fmt.Errorf("receiver: -alert-secret-file: %w", err)
		}
		if s.Fleet.Secret = strings.TrimSpace(string(b)); s.Fleet.Secret == "" {
			return Options{}, setupError(fmt.Sprintf("-alert-secret-file %s is empty", s.AlertSecretFile))
		}
	}
	if s.HeadsUp.Ahead < 1 {
		return Options{}, setupError("-heads-up must be at least 1")
	}
	if s.Tokens == "" {
		s.Tokens = filepath.Join(s.Data, "tokens")
	}
	if s.Operators == "" {
		s.Operators = filepath.Join(s.Data, "operators")
	}
	toks, err := ReadTokens(s.Tokens)
	if err != nil {
		return Options{}, err
	}
	ops, err := ReadTokens(s.Operators)
	if errors.Is(err, iofs.ErrNotExist) {
		log.Warn("motcua receiver: no operators file: the page and the API refuse everyone; write lines \"name token\" to it", "file", s.Operators)
	} else if err != nil {
		return Options{}, err
	}
	o := Options{Store: s.Store, Tokens: toks, Operators: ops, Logger: log, HeadsUp: s.HeadsUp, Fleet: s.Fleet}
	if s.DossierStatus != "" {
		if o.Dossiers, err = OpenDossierSource(s.DossierStatus, s.DossierToken); err != nil {
			return Options{}, err
		}
	}
	return o, nil
}
