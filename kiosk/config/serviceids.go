package config

// ServiceIDs returns the ids of the services, in file order.
func (c *Config) ServiceIDs() []string {
	ids := make([]string, len(c.Services))
	for i, s := range c.Services {
		ids[i] = s.ID
	}
	return ids
}
