//go:build packaging

// Command packaging builds motcua's Debian package with nfpm (as a
// library), from a binary built before by "make release":
//
//	go run ./packaging -version v1.2.0 -arch arm64 [-bin dist/motcua-linux-arm64] [-o dist]
//
// -arch is the Debian architecture: amd64, arm64 or armhf (the GOARM=6
// build, which runs on every Raspberry Pi). The package holds the binary,
// the example configuration as a conffile, the systemd unit, the udev
// rules, a modules-load.d file, the deployment guide and the maintainer
// scripts (postinst.sh, prerm.sh, postrm.sh). Every file gets the time of
// $SOURCE_DATE_EPOCH (or -mtime), so the same inputs give the same bytes.
// Run it from the repository root. The build tag "packaging" keeps nfpm
// out of "go build ./..." and "go test ./...".
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
	"github.com/goreleaser/nfpm/v2/files"
)

// maintainer is the package's Maintainer field and the changelog's signature.
const maintainer = "motcua maintainers <motcua@users.noreply.github.com>"

// goArch maps the Debian architectures we ship to Go's.
var goArch = map[string]string{"amd64": "amd64", "arm64": "arm64", "armhf": "arm"}

func main() {
	version := flag.String("version", "", "version, as `git describe --tags --always --dirty` prints it (required)")
	arch := flag.String("arch", "", "Debian `architecture`: amd64, arm64 or armhf (required)")
	bin := flag.String("bin", "", "motcua binary for that architecture (default dist/motcua-linux-GOARCH)")
	out := flag.String("o", "dist", "output `directory`")
	mtime := flag.Int64("mtime", -1, "file time in Unix seconds (default $SOURCE_DATE_EPOCH, else 0)")
	flag.Parse()
	if err := build(*version, *arch, *bin, *out, *mtime); err != nil {
		fmt.Fprintln(os.Stderr, "packaging:", err)
		os.Exit(1)
	}
}

func build(version, arch, bin, out string, mtime int64) error {
	ga, ok := goArch[arch]
	if !ok || version == "" {
		return errors.New("need -version and -arch amd64, arm64 or armhf")
	}
	if bin == "" {
		bin = filepath.Join("dist", "motcua-linux-"+ga)
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("binary: %w (build it with make release)", err)
	}
	if mtime < 0 {
		mtime = 0
		if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return fmt.Errorf("SOURCE_DATE_EPOCH=%q: %w", s, err)
			}
			mtime = v
		}
	}
	mt := time.Unix(mtime, 0).UTC()
	tmp, err := os.MkdirTemp("", "motcua-packaging-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	gen, err := generate(tmp, bin, DebVersion(version), mt)
	if err != nil {
		return err
	}
	scripts := map[string]string{}
	for _, s := range []string{"postinst", "prerm", "postrm"} {
		scripts[s] = filepath.Join("packaging", s+".sh")
	}
	// nfpm packs a symlink as a symlink: resolve packaging/motcua.toml
	// (a link to kiosk/config/example.toml) to its file.
	var linkErr error
	file := func(src, dst, typ string, mode os.FileMode) *files.Content {
		if real, err := filepath.EvalSymlinks(src); err == nil {
			src = real
		} else {
			linkErr = errors.Join(linkErr, err)
		}
		return &files.Content{Source: src, Destination: dst, Type: typ,
			FileInfo: &files.ContentFileInfo{Owner: "root", Group: "root", Mode: mode, MTime: mt}}
	}
	dir := func(dst string, mode os.FileMode) *files.Content {
		return &files.Content{Destination: dst, Type: files.TypeDir,
			FileInfo: &files.ContentFileInfo{Owner: "root", Group: "root", Mode: mode, MTime: mt}}
	}
	info := &nfpm.Info{
		Name:          "motcua",
		Arch:          arch,
		Platform:      "linux",
		Version:       DebVersion(version),
		VersionSchema: "none",
		Section:       "misc",
		Priority:      "optional",
		Maintainer:    maintainer,
		Description: "queue tickets, counters, printers and displays for one-stop offices\n" +
			"motcua runs a Vietnamese one-stop public-service office (bộ phận một cửa):\n" +
			"it issues queue tickets, prints them on ESC/POS thermal printers, reads\n" +
			"GPIO buttons, drives counter displays, calls numbers aloud and serves\n" +
			"the kiosk, counter and hall-board pages.",
		Homepage: "https://github.com/motcua/motcua",
		License:  "MIT",
		MTime:    mt,
		Overridables: nfpm.Overridables{
			// postinst uses groupadd, useradd and usermod (passwd) and
			// deb-systemd-helper / deb-systemd-invoke (init-system-helpers).
			Depends:    []string{"passwd", "systemd", "init-system-helpers (>= 1.54~)"},
			Recommends: []string{"alsa-utils"},
			Umask:      0o022,
			Contents: files.Contents{
				file(bin, "/usr/bin/motcua", "", 0o755),
				file(filepath.Join("packaging", "motcua.toml"), "/etc/motcua/motcua.toml", files.TypeConfigNoReplace, 0o640),
				dir("/etc/motcua", 0o750),
				file(filepath.Join("packaging", "motcua.service"), "/usr/lib/systemd/system/motcua.service", "", 0o644),
				file(filepath.Join("packaging", "70-motcua.rules"), "/usr/lib/udev/rules.d/70-motcua.rules", "", 0o644),
				file(filepath.Join("packaging", "motcua-modules.conf"), "/usr/lib/modules-load.d/motcua.conf", "", 0o644),
				file(filepath.Join("docs", "deploy.md"), "/usr/share/doc/motcua/deploy.md", "", 0o644),
				file(filepath.Join("docs", "config.md"), "/usr/share/doc/motcua/config.md", "", 0o644),
				file(filepath.Join("packaging", "lintian-overrides"), "/usr/share/lintian/overrides/motcua", "", 0o644),
				file(gen.copyright, "/usr/share/doc/motcua/copyright", "", 0o644),
				file(gen.changelog, "/usr/share/doc/motcua/changelog.gz", "", 0o644),
				file(gen.manPage, "/usr/share/man/man1/motcua.1.gz", "", 0o644),
			},
			Scripts: nfpm.Scripts{
				PostInstall: scripts["postinst"],
				PreRemove:   scripts["prerm"],
				PostRemove:  scripts["postrm"],
			},
			Deb: nfpm.Deb{Compression: "xz"},
		},
	}
	if linkErr != nil {
		return linkErr
	}
	if err := nfpm.PrepareForPackager(info, "deb"); err != nil {
		return err
	}
	pkg, err := nfpm.Get("deb")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pkg.Package(info, &buf); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	name := filepath.Join(out, fmt.Sprintf("motcua_%s_%s.deb", info.Version, arch))
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Println(name)
	return nil
}

// releaseRe matches a git description that starts with a release tag.
var releaseRe = regexp.MustCompile(`^v?[0-9]+\.[0-9]+`)

// DebVersion turns a git description into a Debian version: "v1.2.0" is
// 1.2.0, "v1.2.0-3-gabc1234-dirty" is 1.2.0+3.gabc1234.dirty (sorts after
// 1.2.0), and a bare commit "abc1234" is 0.0.0+gabc1234.
func DebVersion(v string) string {
	if releaseRe.MatchString(v) {
		v = strings.TrimPrefix(v, "v")
	} else {
		v = "0.0.0+g" + v
	}
	var b strings.Builder
	plus := strings.Contains(v, "+")
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '.', r == '~':
			b.WriteRune(r)
		case r == '+':
			b.WriteRune(r)
		case r == '-' && !plus && i > 0:
			b.WriteByte('+')
			plus = true
		default:
			b.WriteByte('.')
		}
	}
	return b.String()
}
