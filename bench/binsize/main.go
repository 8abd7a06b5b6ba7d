// Command binsize tells what a Go binary (an ELF file, not stripped) is
// made of: the sizes of its code and data symbols summed by module, and
// motcua's own packages by directory, as a Markdown table of the sections
// a stripped binary keeps. Uninitialised data (.bss, .noptrbss) takes no
// room in the file and is left out; the line table (.gopclntab) and the
// type links grow with the code and are shown as they are.
//
//	go run ./bench/binsize BINARY
package main

import (
	"debug/elf"
	"fmt"
	"os"
	"sort"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench/binsize BINARY")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "binsize:", err)
		os.Exit(1)
	}
}

func run(name string) error {
	f, err := elf.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return fmt.Errorf("%s: %w (build it without -ldflags=-s)", name, err)
	}
	sum := map[string]uint64{}
	for _, s := range syms {
		if int(s.Section) <= 0 || int(s.Section) >= len(f.Sections) || s.Size == 0 {
			continue
		}
		sec := f.Sections[s.Section]
		if sec.Type == elf.SHT_NOBITS || sec.Name == ".gopclntab" || sec.Name == ".typelink" {
			continue
		}
		sum[part(s.Name)] += s.Size
	}
	var file uint64
	for _, sec := range f.Sections {
		if sec.Flags&elf.SHF_ALLOC != 0 && sec.Type != elf.SHT_NOBITS {
			file += sec.Size // what stays in a stripped binary
		}
		if sec.Name == ".gopclntab" || sec.Name == ".typelink" {
			sum["line and type tables (grow with the code)"] += sec.Size
		}
	}
	keys := make([]string, 0, len(sum))
	var total uint64
	for k, v := range sum {
		keys = append(keys, k)
		total += v
	}
	sort.Slice(keys, func(i, j int) bool { return sum[keys[i]] > sum[keys[j]] })
	fmt.Println("| part | KiB | share |")
	fmt.Println("|---|---:|---:|")
	var rest uint64
	for _, k := range keys {
		if sum[k] < 48<<10 {
			rest += sum[k]
			continue
		}
		fmt.Printf("| %s | %d | %.1f %% |\n", k, sum[k]>>10, 100*float64(sum[k])/float64(file))
	}
	fmt.Printf("| parts under 48 KiB each | %d | %.1f %% |\n", rest>>10, 100*float64(rest)/float64(file))
	fmt.Printf("| data without a symbol of its own (strings, tables) | %d | %.1f %% |\n", (file-total)>>10, 100*float64(file-total)/float64(file))
	fmt.Printf("| **loaded sections (about the stripped file)** | **%d** | |\n", file>>10)
	return nil
}

// part names the module (or motcua package) a symbol belongs to.
func part(sym string) string {
	for _, p := range []string{"type:", "go:", "go.", "*"} {
		sym = strings.TrimPrefix(sym, p)
	}
	if i := strings.IndexAny(sym, "[("); i >= 0 {
		sym = sym[:i]
	}
	elems := strings.Split(sym, "/")
	last := len(elems) - 1
	if i := strings.Index(elems[last], "."); i >= 0 {
		elems[last] = elems[last][:i]
	}
	n := 0
	switch {
	case elems[0] == "motcua":
		n = min(3, len(elems))
	case elems[0] == "vendor":
		return "Go standard library and runtime"
	case strings.Contains(elems[0], "."): // a module: host/owner/repo (golang.org/x/net, modernc.org/sqlite)
		n = 3
		if elems[0] == "modernc.org" || elems[0] == "go.bug.st" || elems[0] == "gopkg.in" {
			n = 2
		}
		n = min(n, len(elems))
	default:
		return "Go standard library and runtime"
	}
	return strings.Join(elems[:n], "/")
}
