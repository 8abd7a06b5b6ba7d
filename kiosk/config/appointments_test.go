package config

import (
	"slices"
	"testing"
	"time"
)

func TestAppointmentsSection(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"none", "", nil},
		{"all keys", `[appointments]
days_ahead = 6
grace = "10m"
per_person_day = 2
per_person_service = 1
per_service_day = 40
[[appointments.hours]]
days = ["mon", "fri"]
open = ["07:30-11:30", "13:30-17:00"]
`, nil},
		{"bad values", `[appointments]
days_ahead = -1
grace = "-5m"
per_person_day = -2
[[appointments.hours]]
days = ["monday"]
open = ["11:30-07:30"]
[[appointments.hours]]
days = ["sat"]
open = ["7:30-11:30"]
[[appointments.hours]]
`, []string{
			"t.toml:12: appointments.days_ahead must be 0 (today only) to 366; default 6",
			"t.toml:13: appointments.grace must not be negative, such as \"15m\"",
			"t.toml:14: appointments.per_person_day must be 0 (no limit) or more",
			"t.toml:16: unknown weekday \"monday\"; use mon, tue, wed, thu, fri, sat or sun",
			"t.toml:17: open period \"11:30-07:30\" must be \"HH:MM-HH:MM\" with the start before the end, such as \"07:30-11:30\"",
			"t.toml:20: open period \"7:30-11:30\" must be \"HH:MM-HH:MM\" with the start before the end, such as \"07:30-11:30\"",
			"t.toml:21: opening hours need days, such as days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]",
			"t.toml:21: opening hours need open periods, such as open = [\"07:30-11:30\", \"13:30-17:00\"]",
		}},
		{"unknown key", "[appointments]\ngraze = \"5m\"\n", []string{
			"t.toml:12: unknown key \"graze\" in [appointments]; did you mean \"grace\"?",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.toml", []byte(base+tt.doc))
			got := problemLines(t, err)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	c, err := Parse("t.toml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if c.Appointments.DaysAhead != 6 || c.Appointments.Grace.D() != 15*time.Minute {
		t.Errorf("defaults: got %+v, want 6 days and 15m", c.Appointments)
	}
}

func TestIsOpen(t *testing.T) {
	a := Appointments{Hours: []Hours{
		{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Open: []string{"07:30-11:30", "13:30-17:00"}},
		{Days: []string{"sat"}, Open: []string{"07:30-11:30"}},
	}}
	hm := func(s string) time.Duration { d, _ := ClockTime(s); return d }
	tests := []struct {
		day      time.Weekday
		from, to string
		want     bool
	}{
		{time.Monday, "07:30", "08:00", true},
		{time.Monday, "07:00", "08:00", false},
		{time.Monday, "11:00", "11:30", true},
		{time.Monday, "11:00", "13:45", false},
		{time.Friday, "16:30", "17:00", true},
		{time.Saturday, "13:30", "14:00", false},
		{time.Sunday, "08:00", "08:30", false},
	}
	for _, tt := range tests {
		if got := a.IsOpen(tt.day, hm(tt.from), hm(tt.to)); got != tt.want {
			t.Errorf("%s %s-%s: got %v, want %v", tt.day, tt.from, tt.to, got, tt.want)
		}
	}
	if !(&Appointments{}).IsOpen(time.Sunday, hm("23:00"), hm("24:00")) {
		t.Error("without hours: got closed, want open")
	}
	for _, s := range []string{"7:30", "07:60", "25:00", "24:01", "+1:00", "0730", "07:3a"} {
		if _, ok := ClockTime(s); ok {
			t.Errorf("ClockTime(%q): got ok, want not a time", s)
		}
	}
}
