package uplink

import (
	"context"
	"fmt"
	"time"
)

// pruneLoop prunes the log now and then until ctx is done.
func (c *Client) pruneLoop(ctx context.Context) {
	for {
		every := c.o.PruneEvery
		if err := c.Prune(ctx); err != nil && ctx.Err() == nil {
			c.lg.Error("uplink: pruning the log", "err", err)
		}
		c.mu.Lock()
		if c.diskLow != "" {
			every = min(every, time.Minute)
		}
		c.mu.Unlock()
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// Prune deletes the acknowledged events older than the retention. When
// the disk is nearly full it deletes every acknowledged event it may,
// and if there is none, the oldest unacknowledged ones: a quarter of
// those it may delete, at least 1000. The current queue day is never
// pruned. The receiver learns of deleted unsent events from a gap
// message; the loss is logged as an error, counted in the metrics and
// shown in the devices list.
func (c *Client) Prune(ctx context.Context) error {
	// Only what is stored as acknowledged may go: a crash must not
	// leave the log believing in an ack it forgot.
	if err := c.loadAcked(ctx); err != nil {
		return err
	}
	c.persistAcked(ctx)
	acked := c.saved.Load()
	cutoff := c.o.Clock.Now().Add(-c.o.Retention).In(c.o.Location).Format(time.DateOnly)
	n, err := c.log.Prune(ctx, acked, cutoff)
	if err != nil {
		return err
	}
	if n > 0 {
		c.lg.Info("uplink: pruned acknowledged events", "events", n, "before_day", cutoff)
	}
	free, err := c.o.FreeSpace(c.log.Dir())
	if err != nil {
		return fmt.Errorf("uplink: free space of %s: %w", c.log.Dir(), err)
	}
	low := ""
	if free < c.o.MinFree {
		low = fmt.Sprintf("disk nearly full (%d MiB free in %s)", free>>20, c.log.Dir())
		n, err := c.log.Prune(ctx, acked, "")
		if err != nil {
			return err
		}
		if n > 0 {
			c.lg.Warn("uplink: disk nearly full: deleted acknowledged events early", "events", n, "free_bytes", free)
		} else {
			first, err := c.log.First(ctx)
			if err != nil {
				return err
			}
			start, err := c.log.DayStart(ctx)
			if err != nil {
				return err
			}
			chunk := max((start-first)/4, 1000)
			from, to, err := c.log.DropOldest(ctx, chunk)
			if err != nil {
				return err
			}
			if to >= from {
				lost := to - from + 1
				c.dropped.Add(lost)
				c.lg.Error("uplink: DISK NEARLY FULL: deleted events the receiver never got; free space on the data disk",
					"events", lost, "from", from, "to", to, "free_bytes", free, "dir", c.log.Dir())
				low += fmt.Sprintf(": %d events never sent were deleted (seq %d to %d); free space now", c.dropped.Load(), from, to)
			} else {
				low += ": nothing left to delete but today's queue; free space now"
			}
		}
	}
	c.mu.Lock()
	changed := low != c.diskLow
	c.diskLow = low
	c.mu.Unlock()
	if changed {
		c.report()
	}
	return nil
}
