package report

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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

// ticketSum is one ticket's life. Times are Unix milliseconds; 0 means
// never.
type ticketSum struct {
	ID        string
	Issued    int64
	FirstCall int64
	End       int64
	Outcome   uint8 // endNone, endDone or endNoShow
	Transfers int
	Rating    int
	Visits    []visit
}

// visit is one pass of a ticket through a queue: from its arrival (issue
// or transfer) to its end (done, no-show, transfer or the end of the day).
type visit struct {
	Service string
	// NewService is true when the visit entered Service from outside it:
	// by issue, or by a transfer from another service. A transfer to
	// another counter of the same service starts a visit that is not new.
	NewService bool
	Arrived    int64
	Called     int64 // first call of this visit
	End        int64
	EndKind    uint8
	Counter    int
	Officer    string
	Recalls    int
	Rating     int // the ticket's rating, on the visit that was rated
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
// (ticket.rated); from is the service a transferred ticket left. The
// officer of a ticket.called is the counter's, as the engine sets it.
func (s *summariser) event(seq int64, at int64, name, ticket string, counter int, field, from string) error {
	if s.sum.FirstSeq == 0 {
		s.sum.FirstSeq = seq
	}
	s.sum.LastSeq = seq
	var t *ticketSum
	var v *visit
	if ticket != "" && name != queue.TicketIssued {
		i, ok := s.tickets[ticket]
		if !ok {
			return nil // issued before the oldest event kept
		}
		t = &s.sum.Tickets[i]
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
			Visits: []visit{{Service: field, NewService: true, Arrived: at}},
		})
	case queue.TicketCalled:
		if v.Called == 0 {
			v.Called = at
		}
		if t.FirstCall == 0 {
			t.FirstCall = at
		}
		v.Counter, v.Officer = counter, s.counter(counter).officer
		s.setServing(counter, true, at)
	case queue.TicketRecalled:
		v.Recalls++
	case queue.TicketDone, queue.TicketNoShow:
		v.End, t.End = at, at
		v.EndKind, t.Outcome = endDone, endDone
		if name == queue.TicketNoShow {
			v.EndKind, t.Outcome = endNoShow, endNoShow
		}
		if v.Counter != 0 {
			s.setServing(v.Counter, false, at)
		}
	case queue.TicketTransferred:
		v.End, v.EndKind = at, endTransferred
		if v.Counter != 0 {
			s.setServing(v.Counter, false, at)
		}
		if from == "" {
			from = v.Service
		}
		t.Transfers++
		t.Visits = append(t.Visits, visit{Service: field, NewService: field != from, Arrived: at})
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
	// ones (ticket.issued, ticket.rated) are read here with a scan of the
	// JSON; SQLite extracts the fields of the rare ones; ticket.called
	// needs none: its officer is the counter's.
	rows, err := db.QueryContext(ctx, `SELECT seq, at, name, COALESCE(ticket, ''), COALESCE(counter, 0),
		CASE WHEN name IN ('ticket.issued', 'ticket.rated') THEN data END,
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
			raw           []byte
			field, from   sql.NullString
		)
		if err := rows.Scan(&seq, &at, &name, &tid, &counter, &raw, &field, &from); err != nil {
			return nil, fmt.Errorf("report: reading day %s: %w", day, err)
		}
		switch name {
		case queue.TicketIssued:
			field.String, err = issuedService(raw)
		case queue.TicketRated:
			field.String, err = ratedScore(raw)
		}
		if err != nil {
			return nil, fmt.Errorf("report: event %d: %w", seq, err)
		}
		ts, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return nil, fmt.Errorf("report: event %d: time %q: %w", seq, at, err)
		}
		if err := s.event(seq, ts.UnixMilli(), name, tid, counter, field.String, from.String); err != nil {
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
