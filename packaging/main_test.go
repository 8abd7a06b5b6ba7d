//go:build packaging

package main

import "testing"

func TestDebVersion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"v1.2.0", "1.2.0"},
		{"1.2.0", "1.2.0"},
		{"v1.2.0-3-gabc1234", "1.2.0+3.gabc1234"},
		{"v1.2.0-3-gabc1234-dirty", "1.2.0+3.gabc1234.dirty"},
		{"abc1234", "0.0.0+gabc1234"},
		{"abc1234-dirty", "0.0.0+gabc1234.dirty"},
		{"7b484f0-dirty", "0.0.0+g7b484f0.dirty"},
		{"1234567", "0.0.0+g1234567"},
		{"v2.0.0-rc1", "2.0.0+rc1"},
	}
	for _, tt := range tests {
		if got := DebVersion(tt.in); got != tt.want {
			t.Errorf("DebVersion(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}
