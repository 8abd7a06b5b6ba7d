// Package version says which motcua is running: the version stamped into
// the binary at build time, or else what Go recorded of the build.
package version

import "runtime/debug"

// String returns stamped, the version given at build time (cmd/motcua's
// -ldflags "-X main.version=v1.2.3"), or when it is empty the module's
// version and the first 12 digits of the VCS revision Go recorded, or
// "(unknown)".
func String(stamped string) string {
	if stamped != "" {
		return stamped
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	return fromBuild(info)
}

func fromBuild(info *debug.BuildInfo) string {
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}
