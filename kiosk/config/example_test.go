package config_test

import (
	"errors"
	"fmt"

	"motcua/kiosk/config"
)

func ExampleParse() {
	doc := `[unit]
id = "ubnd-kien-xuong"
name = "UBND huyện Kiến Xương – Bộ phận một cửa"

[[service]]
id = "dat-dai"
name = "Đất đai"
prefix = "A"

[[service]]
id = "ho-tich"
name = "Hộ tịch"
prefix = "A1"
digits = 9

[[counter]]
id = 1
services = ["dat-dai", "xay-dung"]
`
	_, err := config.Parse("motcua.toml", []byte(doc))
	var ps *config.Problems
	if errors.As(err, &ps) {
		for _, p := range *ps {
			fmt.Println(p)
		}
	}
	// Output:
	// motcua.toml:13: prefixes "A1" and "A" (service "dat-dai", line 8) could print the same number, such as A1001; choose prefixes that do not start with one another followed by digits
	// motcua.toml:14: digits = 9 must be between 1 and 6 (zero padding, default 3)
	// motcua.toml:18: counter 1 names unknown service "xay-dung"; use one of: dat-dai, ho-tich
}

func ExampleDemo() {
	c := config.Demo()
	c.Server.DataDir = "/tmp/motcua-demo"
	if err := c.AddToken(config.Token{Role: config.RoleKiosk, Secret: "kiosk-secret-1234"}); err != nil {
		fmt.Println(err)
	}
	for _, k := range c.Counters {
		fmt.Println(k.ID, k.Name, k.Services)
	}
	fmt.Println(len(c.Tokens), "token")
	// Output:
	// 1 Quầy 1 [dat-dai]
	// 2 Quầy 2 [dat-dai xay-dung]
	// 3 Quầy 3 [tu-phap-ho-tich chung-thuc]
	// 4 Quầy 4 [chung-thuc tu-phap-ho-tich]
	// 5 Quầy 5 [kinh-doanh xay-dung]
	// 1 token
}
