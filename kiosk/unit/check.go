package unit

import (
	"fmt"

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
	return nil
}
