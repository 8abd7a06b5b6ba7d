//go:build packaging

package main

import (
	"bytes"
	"compress/gzip"
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// generated are the package's files made at build time, in a temporary
// directory: the copyright file, the changelog and the man page.
type generated struct {
	copyright, changelog, manPage string
}

func generate(dir, bin, version string, mt time.Time) (generated, error) {
	g := generated{
		copyright: filepath.Join(dir, "copyright"),
		changelog: filepath.Join(dir, "changelog.gz"),
		manPage:   filepath.Join(dir, "motcua.1.gz"),
	}
	text, err := copyrightFile(bin)
	if err != nil {
		return g, err
	}
	if err := os.WriteFile(g.copyright, []byte(text), 0o644); err != nil {
		return g, err
	}
	tmpl, err := os.ReadFile(filepath.Join("packaging", "changelog.tmpl"))
	if err != nil {
		return g, err
	}
	cl := strings.NewReplacer("VERSION", version, "MAINTAINER", maintainer,
		"DATE", mt.Format(time.RFC1123Z)).Replace(string(tmpl))
	if err := writeGzip(g.changelog, []byte(cl)); err != nil {
		return g, err
	}
	man, err := os.ReadFile(filepath.Join("packaging", "motcua.1"))
	if err != nil {
		return g, err
	}
	return g, writeGzip(g.manPage, man)
}

// writeGzip writes data gzip-compressed at the best level with no name and
// no time in the header, so the same input gives the same bytes.
func writeGzip(name string, data []byte) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(name, buf.Bytes(), 0o644)
}

// copyrightFile is the machine-readable debian/copyright of the binary
// package: motcua's licence, the embedded DejaVu fonts' and the licence of
// every Go module linked into bin (read from its build information), each
// with its full text from the module cache.
func copyrightFile(bin string) (string, error) {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return "", fmt.Errorf("build info of %s: %w", bin, err)
	}
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMODCACHE: %w", err)
	}
	cache := strings.TrimSpace(string(modcache))
	own, err := os.ReadFile("LICENSE")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n")
	b.WriteString("Upstream-Name: motcua\nSource: https://github.com/motcua/motcua\n")
	b.WriteString("Comment: motcua is one static Go binary. The stanzas after the first name\n")
	b.WriteString(" the Go modules and the fonts compiled into /usr/bin/motcua, by module path.\n\n")
	b.WriteString("Files: *\nCopyright: 2026 The motcua authors\nLicense: MIT\n")
	b.WriteString(indent(body(string(own))))
	fonts, err := os.ReadFile(filepath.Join("devices", "escpos", "fonts", "LICENSE"))
	if err != nil {
		return "", err
	}
	// The fonts' own file is a copyright file already: take its stanzas
	// from the first Files: on, rooted at the embedded fonts' directory.
	f := string(fonts)
	i := strings.Index(f, "\nFiles:")
	if i < 0 {
		return "", errors.New("devices/escpos/fonts/LICENSE has no Files: stanza")
	}
	b.WriteString("\n" + strings.Replace(strings.TrimSpace(f[i+1:]), "Files: *", "Files: devices/escpos/fonts/*", 1) + "\n")
	deps := append([]*debugModule(nil), modules(info)...)
	sort.Slice(deps, func(i, j int) bool { return deps[i].path < deps[j].path })
	for _, d := range deps {
		dir := filepath.Join(cache, escapeModule(d.path)+"@"+d.version)
		text, err := licenceText(dir)
		if err != nil {
			return "", fmt.Errorf("module %s %s: %w", d.path, d.version, err)
		}
		name := licenceName(text)
		fmt.Fprintf(&b, "\nFiles: %s/*\nCopyright: the authors of %s %s, as its licence names them\nLicense: %s\n",
			d.path, d.path, d.version, name)
		if common[name] {
			fmt.Fprintf(&b, " On Debian systems the full text of this licence is in\n /usr/share/common-licenses/%s.\n", name)
			continue
		}
		b.WriteString(indent(body(text)))
	}
	return b.String(), nil
}

type debugModule struct{ path, version string }

func modules(info *buildinfo.BuildInfo) []*debugModule {
	var out []*debugModule
	for _, d := range info.Deps {
		m := d
		if m.Replace != nil {
			m = m.Replace
		}
		out = append(out, &debugModule{m.Path, m.Version})
	}
	return out
}

// escapeModule is the module cache's case encoding: an upper-case letter
// becomes '!' and its lower case.
func escapeModule(path string) string {
	var b strings.Builder
	for _, r := range path {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func licenceText(dir string) (string, error) {
	for _, n := range []string{"LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "COPYING", "LICENSE-MIT"} {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err == nil {
			return string(data), nil
		}
	}
	return "", fmt.Errorf("no licence file in %s (run go mod download)", dir)
}

// licenceName names a licence text by the short names of the copyright
// format; texts it does not know are "other" (the full text follows).
func licenceName(text string) string {
	t := strings.Join(strings.Fields(text), " ")
	switch {
	case strings.Contains(t, "Apache License") && strings.Contains(t, "Version 2.0"):
		return "Apache-2.0"
	case strings.Contains(t, "Mozilla Public License Version 2.0"):
		return "MPL-2.0"
	case strings.Contains(t, "Permission is hereby granted, free of charge"):
		return "MIT"
	case strings.Contains(t, "Permission to use, copy, modify, and/or distribute this software"):
		return "ISC"
	case strings.Contains(t, "Redistribution and use in source and binary forms") &&
		strings.Contains(t, "Neither the name"):
		return "BSD-3-clause"
	case strings.Contains(t, "Redistribution and use in source and binary forms"):
		return "BSD-2-clause"
	}
	return "other"
}

// common are the licences whose text Debian ships in
// /usr/share/common-licenses: the copyright file refers to them.
var common = map[string]bool{"Apache-2.0": true, "MPL-2.0": true}

// body trims a licence text's surrounding blank lines.
func body(s string) string { return strings.Trim(strings.ReplaceAll(s, "\r\n", "\n"), "\n") }

// indent formats text as a copyright-format continuation: each line after
// a space, an empty line as " .".
func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			l = "."
		}
		b.WriteString(" " + l + "\n")
	}
	return b.String()
}
