package main

import (
	"context"
	"io"

	"motcua/devices/inventory"
)

func listDevices(ctx context.Context, w io.Writer) error {
	inv, err := inventory.List(ctx)
	if err != nil {
		return err
	}
	return inv.Write(w)
}
