package unit

import (
	"fmt"
	"io"
	"path/filepath"

	"motcua/kiosk/catalogue"
	"motcua/kiosk/config"
	"motcua/kiosk/printing"
	"motcua/kiosk/voice"
)

// Check checks what the configuration names beyond its own rules:
// an office's voice pack can be read and the ticket layout renders.
func Check(cfg *config.Config) error {
	if cfg.Voice.Enabled && cfg.Voice.Pack != "" {
		mode, err := voice.ParseMode(cfg.Voice.Numbers)
		if err == nil {
			_, err = voice.New(voice.Options{Numbers: mode, Pack: cfg.Voice.Pack})
		}
		if err != nil {
			return fmt.Errorf("%s: [voice] pack: %w", cfg.Path, err)
		}
	}
	if cfg.Printer != nil {
		if _, err := printing.Blocks(cfg.Printer.Blocks); err != nil {
			return fmt.Errorf("%s: [printer]: %w", cfg.Path, err)
		}
	}
	for _, k := range cfg.Kiosks {
		if k.Printer == nil {
			continue
		}
		if _, err := printing.Blocks(k.Printer.Blocks); err != nil {
			return fmt.Errorf("%s: [kiosk.printer] of kiosk %q: %w", cfg.Path, k.ID, err)
		}
	}
	return nil
}

// WriteCheck writes what `motcua check` says of cfg, read from path and
// valid ([Check]): a line with what it holds, then its warnings, one
// line each ([Warnings]).
func WriteCheck(w io.Writer, path string, cfg *config.Config) error {
	fmt.Fprintf(w, "%s: ok (%d services, %d counters, %d tokens)\n", path, len(cfg.Services), len(cfg.Counters), len(cfg.Tokens))
	ws, err := Warnings(cfg)
	for _, l := range ws {
		fmt.Fprintln(w, l)
	}
	return err
}

// Warnings lists, one line each, what `motcua check` warns of without
// refusing cfg: secrets that are easy to guess ([config.Config.Warnings])
// and procedures of the data directory's catalogue whose service cfg no
// longer has ([catalogue.Unserved]).
func Warnings(cfg *config.Config) ([]string, error) {
	var out []string
	for _, w := range cfg.Warnings() {
		out = append(out, w.String())
	}
	ps, err := catalogue.Unserved(cfg.Server.DataDir, cfg.ServiceIDs())
	for _, p := range ps {
		out = append(out, fmt.Sprintf("warning: %s: %s", filepath.Join(cfg.Server.DataDir, catalogue.FileName), p))
	}
	return out, err
}
