package version

import (
	"runtime/debug"
	"testing"
)

func TestString(t *testing.T) {
	if got := String("v1.2.3"); got != "v1.2.3" {
		t.Errorf("stamped: got %q, want v1.2.3", got)
	}
	if got := String(""); got == "" {
		t.Error("not stamped: got nothing, want the build's version or (unknown)")
	}
	tests := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"module only", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)"},
		{"with revision", debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "526a471c0ffee0123456789"}}}, "v0.9.0 526a471c0ffe"},
		{"short revision", debug.BuildInfo{Main: debug.Module{Version: "v0.9.0"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "526a"}}}, "v0.9.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fromBuild(&tt.info); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
