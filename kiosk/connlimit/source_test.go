package connlimit

import (
	"net/netip"
	"testing"
)

func TestSource(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.168.1.20", "192.168.1.20"},
		{"::ffff:192.168.1.20", "192.168.1.20"},
		{"::1", "::1"},
		{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"},
		{"2001:db8:1:2::5", "2001:db8:1:2::"},
		{"fe80::1%eth0", "fe80::"},
		{"2001:db8:1:3::5", "2001:db8:1:3::"},
	}
	for _, tc := range tests {
		if got := source(netip.MustParseAddr(tc.in)); got.String() != tc.want {
			t.Errorf("source(%s): got %s, want %s", tc.in, got, tc.want)
		}
	}
}
