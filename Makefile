# motcua build targets.
#
#   make build      ./motcua for this machine
#   make test       go test ./...
#   make release    dist/motcua-linux-{amd64,arm64,arm} (arm = GOARM=6: every Pi)
#   make packages   dist/motcua_VERSION_{amd64,arm64,armhf}.deb (needs release)
#   make target-test the packages booted on arm64 and armhf Debian (systemd-nspawn,
#                   qemu-user-static; needs root), the demo on ARM11 and Cortex-A53
#   make clean
#
# Release builds are reproducible: no cgo, -trimpath, no VCS stamp, no build
# id, the version from git. The same commit gives the same bytes.

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
export SOURCE_DATE_EPOCH
LDFLAGS  := -s -w -buildid= -X main.version=$(VERSION)
RELFLAGS := -trimpath -buildvcs=false -ldflags "$(LDFLAGS)"
NFPM     := github.com/goreleaser/nfpm/v2/deb@v2.45.2

.PHONY: build test release packages target-test clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o motcua ./cmd/motcua

test:
	$(GO) test ./...

release:
	mkdir -p dist
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build $(RELFLAGS) -o dist/motcua-linux-amd64 ./cmd/motcua
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(RELFLAGS) -o dist/motcua-linux-arm64 ./cmd/motcua
	CGO_ENABLED=0 GOOS=linux GOARCH=arm GOARM=6 $(GO) build $(RELFLAGS) -o dist/motcua-linux-arm ./cmd/motcua
	cd dist && sha256sum motcua-linux-amd64 motcua-linux-arm64 motcua-linux-arm > SHA256SUMS

# The packager (packaging/, build tag "packaging") uses nfpm's deb writer.
# When go.sum lacks its dependencies, a private copy of go.mod under out/
# gets them, so the main module's files are never touched.
packages: release
	@modflag=; \
	if ! $(GO) list -tags packaging -deps ./packaging >/dev/null 2>&1; then \
		mkdir -p out/pkgmod && cp go.mod out/pkgmod/pkg.mod && cp go.sum out/pkgmod/pkg.sum && \
		$(GO) get -modfile=out/pkgmod/pkg.mod $(NFPM) || exit 1; \
		modflag=-modfile=out/pkgmod/pkg.mod; \
	fi; \
	for arch in amd64 arm64 armhf; do \
		$(GO) run -tags packaging $$modflag ./packaging -version $(VERSION) -arch $$arch -o dist || exit 1; \
	done

target-test: packages
	bash .ci/arm-smoke.sh dist
	bash .ci/target-test.sh

clean:
	rm -rf dist out motcua
