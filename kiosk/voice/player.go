package voice

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Compile-time checks that the players implement [Player].
var (
	_ Player = (*Aplay)(nil)
	_ Player = Discard{}
	_ Player = (*Recorder)(nil)
)

// Aplay plays calls through ALSA with the aplay program (package
// alsa-utils), as on a Raspberry Pi with a speaker on its audio jack or a
// USB sound card.
type Aplay struct {
	device  string
	command string
}

// NewAplay returns a player for ALSA device (config [voice]
// aplay_device, such as "default", "plughw:1,0" or "sysdefault:CARD=Headphones");
// "" means aplay's default device. Use "plughw:..." rather than "hw:..." so
// that ALSA converts the 16 kHz mono of the pack to what the card takes.
func NewAplay(device string) *Aplay {
	return &Aplay{device: device, command: "aplay"}
}

// String returns "aplay DEVICE".
func (p *Aplay) String() string {
	return "aplay " + cmp.Or(p.device, "default")
}

// Play runs aplay with wav on its standard input and waits for it to
// finish. Cancelling ctx kills aplay.
func (p *Aplay) Play(ctx context.Context, wav []byte) error {
	args := []string{"-q"}
	if p.device != "" {
		args = append(args, "-D", p.device)
	}
	args = append(args, "-") // read the WAV from standard input
	cmd := exec.CommandContext(ctx, p.command, args...)
	cmd.Stdin = bytes.NewReader(wav)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = time.Second // do not hang on pipes a killed child left open
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("voice: %s: %w", p, ctx.Err())
		}
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "audio open error") || strings.Contains(msg, "No such file") {
			msg += "; check [voice] aplay_device against `aplay -L`, and that the service user is in group audio"
		}
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			msg = "aplay not found; install alsa-utils"
		}
		return fmt.Errorf("voice: %s: %w: %s", p, err, msg)
	}
	return nil
}

// Discard is a [Player] that plays nothing, for a room whose board page
// plays the calls itself.
type Discard struct{}

// Play returns nil at once.
func (Discard) Play(context.Context, []byte) error { return nil }

// Recorder is a [Player] that keeps every WAV it is given, for tests. It
// is safe for concurrent use.
type Recorder struct {
	mu     sync.Mutex
	played [][]byte
}

// Play records wav and returns nil.
func (r *Recorder) Play(_ context.Context, wav []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.played = append(r.played, wav)
	return nil
}

// Played returns the WAV files played so far, oldest first.
func (r *Recorder) Played() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.played...)
}
