// Command genpack generates the default voice pack of package voice: one
// WAV clip per entry of voice.Clips, spoken by espeak-ng with its
// Vietnamese voice, trimmed of silence, resampled to 16 kHz mono 16-bit
// and normalized, plus a synthesized two-tone chime, each stored as IMA
// ADPCM (4 bits a sample: a quarter of the binary's room; the daemon
// decodes the clips when it starts). It uses sox for the
// trimming and resampling when sox is on PATH (-sox=auto), else does it
// in Go. Run it from kiosk/voice with `go generate` (see pack/README.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"motcua/kiosk/config"
	"motcua/kiosk/voice"
	"motcua/kiosk/voice/internal/pcm"
)

func main() {
	out := flag.String("out", "pack", "folder to write the clips to")
	rate := flag.Int("rate", 16000, "sample rate of the clips in Hz")
	speed := flag.Int("speed", 140, "espeak-ng speed in words per minute")
	useSox := flag.String("sox", "auto", "trim and resample with sox: auto, yes or no")
	cfgFile := flag.String("config", "", "also write a clip with the name of each service of this configuration (default: the demo's services)")
	flag.Parse()
	err := run(*out, *rate, *speed, *useSox)
	if err == nil {
		err = services(*out, *cfgFile, *rate, *speed, *useSox == "yes" || *useSox == "auto" && haveSox())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genpack:", err)
		os.Exit(1)
	}
}

func run(out string, rate, speed int, useSox string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		return fmt.Errorf("espeak-ng not found; install it (apt-get install espeak-ng): %w", err)
	}
	sox := false
	switch useSox {
	case "yes":
		sox = true
	case "auto":
		_, err := exec.LookPath("sox")
		sox = err == nil
	case "no":
	default:
		return fmt.Errorf("-sox %q: want auto, yes or no", useSox)
	}
	tmp, err := os.MkdirTemp("", "genpack")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, c := range voice.Clips() {
		var data []byte
		if c.Say == "" {
			data = pcm.Encode16(chime(rate))
		} else {
			data, err = speak(ctx, tmp, c.Say, rate, speed, sox)
			if err != nil {
				return fmt.Errorf("clip %s: %w", c.Name, err)
			}
		}
		if err := os.WriteFile(filepath.Join(out, c.Name+".wav"), pcm.ADPCM(rate, data), 0o644); err != nil {
			return err
		}
	}
	how := "Go"
	if sox {
		how = "sox"
	}
	fmt.Printf("genpack: wrote %d clips to %s (%d Hz, trimmed with %s)\n", len(voice.Clips()), out, rate, how)
	return nil
}

func haveSox() bool {
	_, err := exec.LookPath("sox")
	return err == nil
}

// services writes one clip per service of the configuration in cfgFile
// (the demo's services when ""): its name, for the kiosk's spoken
// guidance (voice.ServiceClip).
func services(out, cfgFile string, rate, speed int, sox bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cfg := config.Demo()
	if cfgFile != "" {
		c, err := config.Load(cfgFile)
		if err != nil {
			return err
		}
		cfg = c
	}
	tmp, err := os.MkdirTemp("", "genpack")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, s := range cfg.Services {
		data, err := speak(ctx, tmp, s.Name, rate, speed, sox)
		if err != nil {
			return fmt.Errorf("service %s: %w", s.ID, err)
		}
		if err := os.WriteFile(filepath.Join(out, voice.ServiceClip(s.ID)+".wav"), pcm.ADPCM(rate, data), 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("genpack: wrote %d service clips to %s\n", len(cfg.Services), out)
	return nil
}

// speak synthesizes text and returns it as trimmed, normalized 16-bit
// mono PCM at rate.
func speak(ctx context.Context, tmp, text string, rate, speed int, sox bool) ([]byte, error) {
	raw := filepath.Join(tmp, "raw.wav")
	cmd := exec.CommandContext(ctx, "espeak-ng", "-v", "vi", "-s", fmt.Sprint(speed), "-w", raw, text)
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("espeak-ng: %w: %s", err, b)
	}
	src := raw
	if sox {
		src = filepath.Join(tmp, "sox.wav")
		// Trim silence at both ends (reverse, trim the start, reverse),
		// keep 10 ms of margin, resample with the very-high-quality
		// filter and peak-normalize to -3 dBFS.
		cmd := exec.CommandContext(ctx, "sox", raw, "-b", "16", "-c", "1", src,
			"silence", "1", "0.005", "0.5%", "reverse", "silence", "1", "0.005", "0.5%", "reverse",
			"pad", "0.01", "0.01", "rate", "-v", fmt.Sprint(rate), "norm", "-3")
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("sox: %w: %s", err, b)
		}
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	s, err := pcm.Decode(b)
	if err != nil {
		return nil, err
	}
	if sox {
		if !s.Is16Mono() || s.Rate != rate {
			return nil, errors.New("sox wrote an unexpected format")
		}
		return s.Data, nil
	}
	x := pcm.Trim(s.Mono(), s.Rate, 0.01)
	if len(x) == 0 {
		return nil, errors.New("espeak-ng produced silence")
	}
	x = pcm.Resample(x, s.Rate, rate)
	pcm.Normalize(x, -3)
	return pcm.Encode16(x), nil
}

// chime is a soft two-note "ding-dong" (E5 then C5), each note a sine
// with a few decaying harmonics, like a public-address gong. The first
// note rings on under the second; the end fades out to avoid a click.
func chime(rate int) []float64 {
	const note = 0.4 // seconds between the notes
	n := int(note * float64(rate))
	out := make([]float64, 3*n)
	for i, f := range []float64{659.25, 523.25} {
		for j := 0; i*n+j < len(out); j++ {
			t := float64(j) / float64(rate)
			env := math.Exp(-t*6) * math.Min(1, t/0.005) // 5 ms attack
			v := math.Sin(2*math.Pi*f*t) + 0.35*math.Sin(4*math.Pi*f*t)*math.Exp(-t*4) +
				0.12*math.Sin(6*math.Pi*f*t)*math.Exp(-t*8)
			out[i*n+j] += 0.5 * env * v
		}
	}
	fade := rate / 50 // 20 ms
	for j := 0; j < fade; j++ {
		out[len(out)-1-j] *= float64(j) / float64(fade)
	}
	pcm.Normalize(out, -6)
	return out
}
