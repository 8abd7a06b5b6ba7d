package queue_test

import (
	"fmt"
	"time"

	"motcua/clock/clocktest"
	"motcua/kiosk/config"
	"motcua/kiosk/queue"
)

func ExampleEngine() {
	hcm, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	cfg := &config.Config{
		Unit:     config.Unit{ID: "ubnd-vi-du", Name: "UBND xã Ví Dụ"},
		Queue:    config.Queue{PriorityRatio: 1},
		Services: []config.Service{{ID: "dat-dai", Name: "Đất đai", Prefix: "A", First: 1, Digits: 3}},
		Counters: []config.Counter{{ID: 1, Name: "Quầy 1", Services: []string{"dat-dai"}}},
		Location: hcm,
	}
	e := queue.New(cfg, clocktest.New(time.Date(2026, 11, 26, 8, 0, 0, 0, hcm)))
	e.Issue("dat-dai", false)
	e.Issue("dat-dai", true) // priority: called first
	e.Open(1, "Nguyễn Văn A")
	evs, _ := e.Next(1)
	for _, ev := range evs {
		fmt.Println(ev.Seq, ev.Name, ev.Ticket.Number, ev.Ticket.Status)
	}
	// Output:
	// 5 ticket.called A002 called
}
