package config

import "fmt"

// KindReturn is the [Service.Kind] of the service where results are
// handed back (trả kết quả).
const KindReturn = "return"

// ReturnService returns the service of kind "return", or nil.
func (c *Config) ReturnService() *Service {
	for i := range c.Services {
		if c.Services[i].Kind == KindReturn {
			return &c.Services[i]
		}
	}
	return nil
}

func (c *Config) validateReturns(d *decoder) {
	n := 0
	for i, s := range c.Services {
		path := fmt.Sprintf("service[%d]", i)
		switch s.Kind {
		case "":
			if s.EarlyReturn {
				d.addf(path+".early_return", "service %q: early_return applies only to a service with kind = \"return\"", s.ID)
			}
		case KindReturn:
			n++
			if n > 1 {
				d.addf(path+".kind", "service %q: only one service may have kind = \"return\"; slips scanned at the kiosk take a number there", s.ID)
			}
		default:
			d.addf(path+".kind", "service %q: kind %q is not known; use \"return\" for handing back results, or leave it out", s.ID, s.Kind)
		}
	}
}
