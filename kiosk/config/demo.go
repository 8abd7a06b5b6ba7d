package config

import (
	_ "embed"
	"fmt"
	"slices"
)

// DemoTOML is the configuration of "motcua demo": a commune office with
// five services, five counters, a simulated printer and simulated
// displays. It has no tokens: the demo adds random ones with
// [Config.AddToken].
//
//go:embed demo.toml
var DemoTOML []byte

// Demo returns a fresh parse of [DemoTOML], named "demo.toml" in
// problems. Its server.data_dir is empty: the caller sets it.
func Demo() *Config {
	c, err := Parse("demo.toml", DemoTOML)
	if err != nil {
		// DemoTOML is embedded and parsed by the tests.
		panic("config: embedded demo.toml is invalid: " + err.Error())
	}
	return c
}

// AddToken validates t against c and appends it to c.Tokens. t.Secret
// must be set (t.SecretFile is not read). It returns a [*Problems]
// without line numbers, and leaves c unchanged, when t is not valid,
// for example when its secret is already used.
func (c *Config) AddToken(t Token) error {
	if t.Secret == "" && t.SecretFile != "" {
		return fmt.Errorf("config: AddToken needs the secret itself, not secret_file %s", t.SecretFile)
	}
	t.Counters = slices.Clone(t.Counters)
	c.Tokens = append(c.Tokens, t)
	if err := c.Validate(); err != nil {
		c.Tokens = c.Tokens[:len(c.Tokens)-1]
		return err
	}
	return nil
}
