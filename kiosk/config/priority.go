package config

import (
	"fmt"
	"regexp"
	"strings"
)

// Priority is a named priority category ([[priority]]): who goes first,
// by law or the office's rules. Its code is kept on the ticket and in
// reports; its name is shown on the kiosk and printed.
type Priority struct {
	Code string `toml:"code" json:"code"` // [a-z0-9_-]+, e.g. "elderly"
	Name string `toml:"name" json:"name"` // e.g. "Người cao tuổi"
}

// AgeCategory is the code of the category an ID card's age gives (see
// [Queue.PriorityAge]).
const AgeCategory = "elderly"

var categoryRe = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// DefaultPriorities are the categories of a file without [[priority]]:
// those Vietnamese offices serve first.
func DefaultPriorities() []Priority {
	return []Priority{
		{Code: AgeCategory, Name: "Người cao tuổi"},
		{Code: "disabled", Name: "Người khuyết tật"},
		{Code: "pregnant", Name: "Phụ nữ mang thai"},
		{Code: "young_child", Name: "Người có con dưới 6 tuổi"},
		{Code: "merit", Name: "Người có công với cách mạng"},
	}
}

// Priority returns the category with the given code, or nil.
func (c *Config) Priority(code string) *Priority {
	for i := range c.Priorities {
		if c.Priorities[i].Code == code {
			return &c.Priorities[i]
		}
	}
	return nil
}

func (c *Config) validatePriorities(d *decoder) {
	q := c.Queue
	if q.PriorityAge < 0 || q.PriorityAge > 150 {
		d.addf("queue.priority_age", "queue.priority_age must be an age from 1 to 150, or 0 for none; default 75")
	}
	if q.MaxPriorityCalls < 0 {
		d.addf("queue.max_priority_calls", "queue.max_priority_calls must be 0 (no cap) or more")
	}
	if q.PerPersonDay < 0 {
		d.addf("queue.per_person_day", "queue.per_person_day must be 0 (no limit) or more")
	}
	if q.MaxWait < 0 {
		d.addf("queue.max_wait", "queue.max_wait must be 0 (no cap) or a positive duration such as \"30m\"")
	}
	seen := map[string]bool{}
	for i, p := range c.Priorities {
		path := fmt.Sprintf("priority[%d]", i)
		switch {
		case !categoryRe.MatchString(p.Code):
			d.addf(path+".code", "priority code %q must be 1 to 32 of a-z, 0-9, _ and -, such as \"elderly\"", p.Code)
		case seen[p.Code]:
			d.addf(path+".code", "priority code %q is used twice; give each category its own code", p.Code)
		}
		seen[p.Code] = true
		if strings.TrimSpace(p.Name) == "" {
			d.addf(path+".name", "priority %q has no name; add name = \"Người cao tuổi\" or the like, shown on the kiosk and the ticket", p.Code)
		}
	}
	if q.PriorityAge > 0 && !seen[AgeCategory] && !d.bad["queue.priority_age"] {
		d.addf("queue.priority_age", "queue.priority_age needs a [[priority]] with code = %q (the category an ID card's age gives); add it or set priority_age = 0", AgeCategory)
	}
}
