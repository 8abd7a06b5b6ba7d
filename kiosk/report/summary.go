package report

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"motcua/kiosk/queue"
)

// How a visit or a ticket ended.
const (
	endNone        uint8 = iota // still waiting or served when the day ended
	endDone                     // ticket.done
	endNoShow                   // ticket.no_show
	endTransferred              // ticket.transferred (visits only)
)

// daySummary is what one queue day contributes to any report: a summary
// per ticket and the time each counter spent in each state. It depends on
// the log and the time zone only, never on the rest of the configuration,
// so a day that is over is summarised once and cached (see [Cache]).
type daySummary struct {
	Day      string
	FirstSeq int64 // seq of the day's first event
	LastSeq  int64 // seq of its last event
	Tickets  []ticketSum
	Counters []counterTime
}

// ticketSum is one ticket's life. Issued is Unix milliseconds.
type ticketSum struct {
	ID        string
	Issued    int64
	Outcome   uint8 // endNone, endDone or endNoShow
	Transfers int
	Rating    int
	Visits    []visit
}

// visit is one pass of a ticket through a queue: from its arrival (issue
// or transfer) to its end (done, no-show, transfer or the end of the day).
// Its durations are in milliseconds, never negative; see [summariser.event]
// for where they come from.
type visit struct {
	Service string
	// NewService is true when the visit entered Service from outside it:
	// by issue, or by a transfer from another service. A transfer to
	// another counter of the same service starts a visit that is not new.
	NewService bool
	Called     bool  // the visit was called at a counter
	WaitMS     int64 // from arrival to the call; 0 unless Called
	// ServiceMS is from the call to done or to the transfer; 0 for a
	// visit that ended otherwise.
	ServiceMS int64
	EndKind   uint8
	Counter   int
	Officer   string
	Recalls   int
	Rating    int // the ticket's rating, on the visit that was rated
}

// maxMS is the longest duration a summary holds, in milliseconds (24.8
// days): reports keep durations as int32. A longer one, which only a wall
// clock set far off can make, is cut to it.
const maxMS = math.MaxInt32

// clampMS keeps a duration between 0 and [maxMS].
func clampMS(d int64) int64 { return min(max(d, 0), maxMS) }

// liveVisit is what the summariser needs of a ticket's current visit
// while it reads the day, and does not keep: its event times (Unix ms)
// and the engine's wait_ms on its call.
type liveVisit struct {
	arrived int64 // issue or transfer
	called  int64 // 0 until called
	callMS  int64 // wait_ms of the call; 0 when the event had none
	// prevCalled and prevCallMS are the previous visit's call, for a
	// visit that began with a transfer.
	prevCalled, prevCallMS int64
}

// counterTime is how long one counter, held by one officer, spent in each
// state on one day, in milliseconds. Busy is open while serving a ticket;
// Idle is open with no ticket.
type counterTime struct {
	Counter int
	Officer string
	Idle    int64
	Busy    int64
	Paused  []reasonTime
}

type reasonTime struct {
	Reason string
	MS     int64
}

func (c *counterTime) addPaused(reason string, ms int64) {
	for i := range c.Paused {
		if c.Paused[i].Reason == reason {
			c.Paused[i].MS += ms
			return
		}
	}
	c.Paused = append(c.Paused, reasonTime{reason, ms})
}

// counterState follows one counter through a day.
type counterState struct {
	id      int
	state   queue.CounterState
	officer string
	reason  string
	serving bool
	since   int64 // when the current segment began
}

type timeKey struct {
	counter int
	officer string
}

// summariser builds a [daySummary] from a day's events in order.
type summariser struct {
	sum      daySummary
	tickets  map[string]int // id -> index in sum.Tickets
	live     []liveVisit    // by index in sum.Tickets
	counters map[int]*counterState
	times    map[timeKey]int // index in sum.Counters
}

func newSummariser(day string) *summariser {
	return &summariser{
		sum:      daySummary{Day: day},
		tickets:  map[string]int{},
		counters: map[int]*counterState{},
		times:    map[timeKey]int{},
	}
}

func (s *summariser) counter(id int) *counterState {
	c := s.counters[id]
	if c == nil {
		c = &counterState{id: id, state: queue.Closed}
		s.counters[id] = c
	}
	return c
}

// account closes the counter's current segment at t.
func (s *summariser) account(c *counterState, t int64) {
	d := t - c.since
	c.since = t
	if d <= 0 || c.state == queue.Closed {
		return
	}
	key := timeKey{c.id, c.officer}
	i, ok := s.times[key]
	if !ok {
		i = len(s.sum.Counters)
		s.times[key] = i
		s.sum.Counters = append(s.sum.Counters, counterTime{Counter: c.id, Officer: c.officer})
	}
	ct := &s.sum.Counters[i]
	switch {
	case c.state == queue.Paused:
		ct.addPaused(c.reason, d)
	case c.serving:
		ct.Busy += d
	default:
		ct.Idle += d
	}
}

func (s *summariser) setServing(id int, serving bool, t int64) {
	c := s.counter(id)
	s.account(c, t)
	c.serving = serving
}

// event applies one event. field is the one field of the event's JSON
// that its name needs: the ticket's service (issued, transferred), the
// officer (counter.opened), the reason (counter.paused) or the score
// (ticket.rated); from is the service a transferred ticket left. ms is
// the engine's wait_ms of a ticket.called and service_ms of a
// ticket.done, 0 when the event has none. The officer of a ticket.called
// is the counter's, as the engine sets it.
//
// Durations come from the monotonic clock where the engine measured
// them, else from the event times, and are never negative:
//   - the wait of a first visit is wait_ms (from the issue), else call
//     time − issue time, at least 0;
//   - the service of a visit ended done is service_ms (from this visit's
//     call), else done time − call time, at least 0;
//   - a visit ended by a transfer has no monotonic figure of its own, and
//     wait_ms of the next call still counts from the issue. When both
//     calls have wait_ms, their difference is the monotonic time from one
//     call to the next; the transfer's time splits it into the service
//     before the transfer (transfer time − call time) and the wait after
//     it, each kept between 0 and that difference. Otherwise both are
//     differences of event times, at least 0.
func (s *summariser) event(seq int64, at int64, name, ticket string, counter int, field, from string, ms int64) error {
	if s.sum.FirstSeq == 0 {
		s.sum.FirstSeq = seq
	}
	s.sum.LastSeq = seq
	var t *ticketSum
	var v *visit
	var lv *liveVisit
	if ticket != "" && name != queue.TicketIssued {
		i, ok := s.tickets[ticket]
		if !ok {
			return nil // issued before the oldest event kept
		}
		t, lv = &s.sum.Tickets[i], &s.live[i]
		v = &t.Visits[len(t.Visits)-1]
	}
	switch name {
	case queue.DayStarted:
		for _, c := range s.counters {
			s.account(c, at)
			c.state, c.serving, c.officer, c.reason = queue.Closed, false, "", ""
		}
	case queue.TicketIssued:
		s.tickets[ticket] = len(s.sum.Tickets)
		s.sum.Tickets = append(s.sum.Tickets, ticketSum{
			ID: ticket, Issued: at,
			Visits: []visit{{Service: field, NewService: true}},
		})
		s.live = append(s.live, liveVisit{arrived: at})
	case queue.TicketCalled:
		if !v.Called {
			v.Called, lv.called, lv.callMS = true, at, ms
			v.WaitMS = clampMS(at - lv.arrived)
			switch {
			case len(t.Visits) == 1 && ms > 0:
				v.WaitMS = clampMS(ms)
			case len(t.Visits) > 1 && ms > 0 && lv.prevCallMS > 0 && ms >= lv.prevCallMS:
				between := clampMS(ms - lv.prevCallMS)
				prev := &t.Visits[len(t.Visits)-2]
				prev.ServiceMS = min(clampMS(lv.arrived-lv.prevCalled), between)
				v.WaitMS = between - prev.ServiceMS
			}
		}
		v.Counter, v.Officer = counter, s.counter(counter).officer
		s.setServing(counter, true, at)
	case queue.TicketRecalled:
		v.Recalls++
	case queue.TicketDone, queue.TicketNoShow:
		t.Outcome, v.EndKind = endDone, endDone
		if name == queue.TicketNoShow {
			v.EndKind, t.Outcome = endNoShow, endNoShow
		} else if v.Called {
			v.ServiceMS = clampMS(at - lv.called)
			if ms > 0 {
				v.ServiceMS = clampMS(ms)
			}
		}
		if v.Counter != 0 {
			s.setServing(v.Counter, false, at)
		}
	case queue.TicketTransferred:
		v.EndKind = endTransferred
		if v.Called {
			v.ServiceMS = clampMS(at - lv.called)
		}
		if v.Counter != 0 {
			s.setServing(v.Counter, false, at)
		}
		if from == "" {
			from = v.Service
		}
		t.Transfers++
		t.Visits = append(t.Visits, visit{Service: field, NewService: field != from})
		*lv = liveVisit{arrived: at, prevCalled: lv.called, prevCallMS: lv.callMS}
	case queue.TicketRated:
		score, err := strconv.Atoi(field)
		if err != nil || score < 1 || score > 4 {
			return fmt.Errorf("report: event %d: rating %q is not 1 to 4", seq, field)
		}
		t.Rating = score
		for i := len(t.Visits) - 1; i >= 0; i-- {
			if t.Visits[i].EndKind == endDone {
				t.Visits[i].Rating = score
				break
			}
		}
	case queue.CounterOpened, queue.CounterPaused, queue.CounterResumed, queue.CounterClosed:
		c := s.counter(counter)
		s.account(c, at)
		switch name {
		case queue.CounterOpened:
			c.state, c.reason, c.officer = queue.Open, "", field
		case queue.CounterPaused:
			c.state, c.reason = queue.Paused, field
		case queue.CounterResumed:
			c.state, c.reason = queue.Open, ""
		case queue.CounterClosed:
			c.state, c.serving, c.officer, c.reason = queue.Closed, false, "", ""
		}
	}
	return nil
}

// finish closes every counter's last segment at end (Unix ms) and returns
// the summary.
func (s *summariser) finish(end int64) *daySummary {
	for _, c := range s.counters {
		s.account(c, max(end, c.since))
	}
	return &s.sum
}

// summarise reads the events first..last (seqs, inclusive) and summarises
// them as day; counters still open are accounted until end (Unix ms).
func summarise(ctx context.Context, db *sql.DB, day string, first, last, end int64) (*daySummary, error) {
	// A summary needs a field or two of a few events' JSON. The frequent
	// ones (ticket.issued, ticket.rated, and wait_ms and service_ms of
	// ticket.called and ticket.done) are read here with a scan of the
	// JSON; SQLite extracts the fields of the rare ones. The officer of a
	// ticket.called is the counter's.
	rows, err := db.QueryContext(ctx, `SELECT seq, at, name, COALESCE(ticket, ''), COALESCE(counter, 0),
		CASE WHEN name IN ('ticket.issued', 'ticket.rated', 'ticket.called', 'ticket.done') THEN data END,
		CASE name
			WHEN 'ticket.transferred' THEN json_extract(CAST(data AS TEXT), '$.ticket.service')
			WHEN 'counter.opened' THEN json_extract(CAST(data AS TEXT), '$.counter.officer')
			WHEN 'counter.paused' THEN json_extract(CAST(data AS TEXT), '$.reason')
		END,
		CASE name WHEN 'ticket.transferred' THEN json_extract(CAST(data AS TEXT), '$.from.service') END
		FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq`, first, last)
	if err != nil {
		return nil, fmt.Errorf("report: reading day %s: %w", day, err)
	}
	defer rows.Close()
	s := newSummariser(day)
	for rows.Next() {
		var (
			seq           int64
			at, name, tid string
			counter       int
			raw           sql.RawBytes // valid until the next Scan
			field, from   sql.NullString
			ms            int64
		)
		if err := rows.Scan(&seq, &at, &name, &tid, &counter, &raw, &field, &from); err != nil {
			return nil, fmt.Errorf("report: reading day %s: %w", day, err)
		}
		switch name {
		case queue.TicketIssued:
			field.String, err = issuedService(raw)
		case queue.TicketRated:
			field.String, err = ratedScore(raw)
		case queue.TicketCalled:
			ms = msField(raw, `"wait_ms":`)
		case queue.TicketDone:
			ms = msField(raw, `"service_ms":`)
		}
		if err != nil {
			return nil, fmt.Errorf("report: event %d: %w", seq, err)
		}
		ts, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return nil, fmt.Errorf("report: event %d: time %q: %w", seq, at, err)
		}
		if err := s.event(seq, ts.UnixMilli(), name, tid, counter, field.String, from.String, ms); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: reading day %s: %w", day, err)
	}
	return s.finish(end), nil
}

// issuedService reads ticket.service out of a ticket.issued event. The
// event's only object with a "service" key is its ticket, and a quote
// inside a JSON string is always escaped, so the first `"service":` is
// that key. A value with escapes is left to encoding/json.
func issuedService(data []byte) (string, error) {
	const key = `"service":"`
	if i := bytes.Index(data, []byte(key)); i >= 0 {
		rest := data[i+len(key):]
		if j := bytes.IndexByte(rest, '"'); j >= 0 && bytes.IndexByte(rest[:j], '\\') < 0 {
			return string(rest[:j]), nil
		}
	}
	var ev struct {
		Ticket *struct {
			Service string `json:"service"`
		} `json:"ticket"`
	}
	if err := json.Unmarshal(data, &ev); err != nil || ev.Ticket == nil {
		return "", fmt.Errorf("ticket.issued without a ticket: %s", data)
	}
	return ev.Ticket.Service, nil
}

// msField reads a duration in milliseconds, the value of key (`"wait_ms":`
// or `"service_ms":`), out of an event; 0 when the event has none, or a
// value that is not a whole number of milliseconds (the event times are
// used then). These keys are the event's own (no object inside an event
// has them), and a quote inside a JSON string is always escaped, so an
// occurrence of the key is that key. They come last: the search starts
// from the end.
func msField(data []byte, key string) int64 {
	i := bytes.LastIndex(data, []byte(key))
	if i < 0 {
		return 0
	}
	var v int64
	for j, c := range data[i+len(key):] {
		switch {
		case c >= '0' && c <= '9' && j < 15: // 15 digits: 30,000 years
			v = v*10 + int64(c-'0')
		case j > 0 && (c == ',' || c == '}'):
			return v
		default:
			return 0
		}
	}
	return 0
}

// ratedScore reads the score, 1 to 4, of a ticket.rated event: its only
// "score" key (the ticket's is "rating").
func ratedScore(data []byte) (string, error) {
	const key = `"score":`
	if i := bytes.LastIndex(data, []byte(key)); i >= 0 && i+len(key) < len(data) {
		if c := data[i+len(key)]; c >= '1' && c <= '4' {
			return string(c), nil
		}
	}
	return "", fmt.Errorf("ticket.rated without a score from 1 to 4: %s", data)
}
